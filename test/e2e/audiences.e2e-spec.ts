import { createHash } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../helpers/app';
import { type Actor, anAdvertiser, anApiKey, anAudience, aPublisher, uploadNdjson } from '../helpers/builders';
import { seedAudienceWithSubjects } from '../helpers/seed';
import { aTcString } from '../helpers/tcf';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const records = (t: TestApp) => t.connection.db!.collection('subjects');
const post = (t: TestApp, actor: Actor, id: string, type: string, body: string) =>
  t.http().post(`/v1/audiences/${id}/records`).set(actor.auth).set('Content-Type', type).send(body);

describe('audiences: CRUD and ownership', () => {
  let t: TestApp;
  let pub: Actor;
  let other: Actor;
  let adv: Actor;
  beforeAll(async () => {
    t = await createTestApp();
    [pub, other, adv] = await Promise.all([aPublisher(t), aPublisher(t), anAdvertiser(t)]);
  });
  afterAll(() => t.close());

  it('creates, lists page by page, reads and deletes an audience with its subjects', async () => {
    const res = await t.http().post('/v1/audiences').set(pub.auth)
      .send({ name: 'Newsletter', description: 'weekly', source: 'email', dataType: 'first_party' }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String), name: 'Newsletter', description: 'weekly', source: 'email', dataType: 'first_party',
      subjectCount: 0, createdAt: expect.any(String), lastIngestAt: null,
    });
    const second = await anAudience(t, pub, { source: 'crm', dataType: 'second_party' });
    const p1 = await t.http().get('/v1/audiences?limit=1').set(pub.auth).expect(200);
    expect(p1.body.items.map((a: any) => a.id)).toEqual([second.id]);
    const p2 = await t.http().get(`/v1/audiences?limit=1&cursor=${p1.body.nextCursor}`).set(pub.auth).expect(200);
    expect(p2.body).toEqual({ items: [expect.objectContaining({ id: res.body.id })], nextCursor: null });

    await uploadNdjson(t, pub, res.body.id, [{ email: 'x1@example.com' }, { email: 'x2@example.com' }]).expect(200);
    expect((await t.http().get(`/v1/audiences/${res.body.id}`).set(pub.auth).expect(200)).body.subjectCount).toBe(2);
    await t.http().delete(`/v1/audiences/${res.body.id}`).set(pub.auth).expect(204);
    await t.http().get(`/v1/audiences/${res.body.id}`).set(pub.auth).expect(404);
    expect(await records(t).countDocuments({ audienceId: new Types.ObjectId(res.body.id) })).toBe(0);
  });

  it('rejects unknown sources and fields', async () => {
    await t.http().post('/v1/audiences').set(pub.auth).send({ name: 'x', source: 'tv', dataType: 'first_party' }).expect(400);
    await t.http().post('/v1/audiences').set(pub.auth).send({ name: 'x', source: 'web', dataType: 'first_party', orgId: 'x' }).expect(400);
  });

  it("another publisher's audience is a 404 everywhere; advertisers get 403", async () => {
    const a = await anAudience(t, pub);
    await t.http().get(`/v1/audiences/${a.id}`).set(other.auth).expect(404);
    await t.http().delete(`/v1/audiences/${a.id}`).set(other.auth).expect(404);
    const up = await uploadNdjson(t, other, a.id, [{ email: 'probe@example.com' }]).expect(404);
    expect(up.body.code).toBe('NOT_FOUND');
    expect((await t.http().get('/v1/audiences').set(other.auth).expect(200)).body.items).toEqual([]);
    await t.http().get('/v1/audiences').set(adv.auth).expect(403);
    await t.http().post('/v1/audiences').set(adv.auth).send({ name: 'x', source: 'web', dataType: 'first_party' }).expect(403);
    await uploadNdjson(t, adv, a.id, [{ email: 'probe@example.com' }]).expect(403);
    await t.http().get(`/v1/audiences/${a.id}`).set(pub.auth).expect(200);
    await t.http().get(`/v1/audiences/${a.id}`).expect(401);
  });

  it('every data-plane route is in the OpenAPI document', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/v1/audiences', '/v1/audiences/{id}', '/v1/audiences/{id}/records', '/v1/collect', '/v1/consent',
      '/v1/consent/{subjectKey}', '/v1/erasures',
    ]));
    expect(Object.keys(doc.paths['/v1/audiences/{id}/records'].post.requestBody.content).sort())
      .toEqual(['application/json', 'application/x-ndjson', 'text/csv']);
  });
});

describe('ingest', () => {
  let t: TestApp;
  let pub: Actor;
  beforeAll(async () => {
    t = await createTestApp({ captureLogs: true, env: { INGEST_BATCH_SIZE: '3' } });
    pub = await aPublisher(t);
  });
  afterAll(() => t.close());

  it('NDJSON: exact counts, hashed keys, traits and channel', async () => {
    const a = await anAudience(t, pub, { source: 'email' });
    const res = await uploadNdjson(t, pub, a.id, [
      { email: ' Jane.Doe+news@GMAIL.com ', traits: { age_band: '25-34', interests: ['sport', 'tech'], subscriber: true, visits: 12 } },
      { phone: '06 12 34 56 78' },
      { maid: 'AEBE52E7-03EE-455A-B3C4-E57283966239' },
      { emailSha256: sha('someone@example.com') },
    ]).expect(200);
    expect(res.body).toEqual({ received: 4, inserted: 4, updated: 0, unchanged: 0, rejected: 0, errors: [] });
    const jane = await records(t).findOne({ key: sha('janedoe@gmail.com') });
    expect(jane).toMatchObject({
      ids: { emailSha256: sha('janedoe@gmail.com') },
      traits: { age_band: '25-34', interests: ['sport', 'tech'], subscriber: true, visits: 12 },
      channels: ['email'],
    });
    expect(await records(t).findOne({ key: sha('+33612345678') })).toMatchObject({ ids: { phoneSha256: sha('+33612345678') } });
    const maid = 'aebe52e7-03ee-455a-b3c4-e57283966239';
    expect(await records(t).findOne({ key: sha(maid) })).toMatchObject({ ids: { maid } });
    expect((await t.http().get(`/v1/audiences/${a.id}`).set(pub.auth)).body.subjectCount).toBe(4);
  });

  it('CSV: exact counts; line numbers count the header as line 1', async () => {
    const a = await anAudience(t, pub);
    const csv = [
      'email,phone_sha256,consent_status,consent_purposes,consent_at,trait.age,trait.city',
      'a1@example.com,,granted,1;3;4,2024-05-01T00:00:00Z,34,Lyon',
      'not-an-email,,,,,,',
      `,${sha('+33611111111')},denied,,,51,Paris`,
      'a4@example.com,,granted,1;99,,,',
      '"a5@example.com",,,,,true,"Saint-Étienne, FR"',
      'a6@example.com,too,many,cells,here,x,y,z',
    ].join('\r\n');
    const res = await post(t, pub, a.id, 'text/csv; charset=utf-8', csv).expect(200);
    expect(res.body).toEqual({
      received: 6, inserted: 3, updated: 0, unchanged: 0, rejected: 3,
      errors: [
        { line: 3, code: 'INVALID_EMAIL', message: expect.any(String) },
        { line: 5, code: 'INVALID_CONSENT', message: expect.any(String) },
        { line: 7, code: 'MALFORMED_CSV', message: expect.any(String) },
      ],
    });
    const s = await records(t).findOne({ key: sha('a1@example.com') });
    expect(s!.traits).toEqual({ age: 34, city: 'Lyon' });
    expect(s!.consent).toMatchObject({ status: 'granted', purposes: [1, 3, 4], vendorConsent: true, at: new Date('2024-05-01T00:00:00Z') });
    expect((await records(t).findOne({ key: sha('a5@example.com') }))!.traits).toEqual({ age: true, city: 'Saint-Étienne, FR' });
  });

  it('CSV with an unknown column is a 400', async () => {
    const a = await anAudience(t, pub);
    const res = await post(t, pub, a.id, 'text/csv', 'email,ssn\na@example.com,1\n').expect(400);
    expect(res.body.code).toBe('INVALID_CSV_HEADER');
  });

  it('JSON array: streamed element by element; line = element index + 1', async () => {
    const a = await anAudience(t, pub);
    const body = `[
      {"email": "j1@example.com", "traits": {"note": "has ] and , and \\" inside", "tags": ["a,b", "[c]"]}},
      {"email": "j2@example.com", "traits": {"bad name": 1}},
      42,
      {"email": "j4@example.com", "extra": true},
      {"maid": "not-a-uuid"},
      {"email": "j6@example.com"}
    ]`;
    const res = await post(t, pub, a.id, 'application/json', body).expect(200);
    expect(res.body).toEqual({
      received: 6, inserted: 2, updated: 0, unchanged: 0, rejected: 4,
      errors: [
        { line: 2, code: 'INVALID_TRAIT_NAME', message: expect.any(String) },
        { line: 3, code: 'INVALID_RECORD', message: expect.any(String) },
        { line: 4, code: 'UNKNOWN_FIELD', message: expect.any(String) },
        { line: 5, code: 'INVALID_MAID', message: expect.any(String) },
      ],
    });
    expect((await records(t).findOne({ key: sha('j1@example.com') }))!.traits).toEqual({ note: 'has ] and , and " inside', tags: ['a,b', '[c]'] });
    const notArray = await post(t, pub, a.id, 'application/json', '{"email":"x@example.com"}').expect(400);
    expect(notArray.body.code).toBe('MALFORMED_JSON');
  });

  it('mixed good and bad NDJSON lines: good ones stored, bad ones reported by physical line', async () => {
    const a = await anAudience(t, pub);
    const res = await uploadNdjson(t, pub, a.id, [
      { email: 'm1@example.com' },
      '{"email": "m2@example.com"',
      '',
      { email: 'm4@example.com', traits: { health_score: 3 } },
      { emailSha256: 'ABC' },
      { phone: '12' },
      {},
      { email: 'm8@example.com', traits: { sexual_orientation_guess: 'x' } },
      { email: 'm9@example.com', traits: { long: 'x'.repeat(257) } },
      { email: 'm10@example.com', traits: { contact: 'someone@example.org' } },
      { email: 'm11@example.com', consent: { tcString: 'not a tc string' } },
      { email: 'm12@example.com' },
    ]).expect(200);
    expect(res.body).toEqual({
      received: 11, inserted: 2, updated: 0, unchanged: 0, rejected: 9,
      errors: [
        { line: 2, code: 'MALFORMED_JSON', message: expect.any(String) },
        { line: 4, code: 'SPECIAL_CATEGORY_TRAIT', message: expect.stringContaining('health_score') },
        { line: 5, code: 'INVALID_HASH', message: expect.any(String) },
        { line: 6, code: 'INVALID_PHONE', message: expect.any(String) },
        { line: 7, code: 'MISSING_IDENTIFIER', message: expect.any(String) },
        { line: 8, code: 'SPECIAL_CATEGORY_TRAIT', message: expect.any(String) },
        { line: 9, code: 'INVALID_TRAIT_VALUE', message: expect.any(String) },
        { line: 10, code: 'INVALID_TRAIT_VALUE', message: expect.any(String) },
        { line: 11, code: 'INVALID_TC_STRING', message: expect.any(String) },
      ],
    });
    expect(await records(t).countDocuments({ audienceId: new Types.ObjectId(a.id) })).toBe(2);
  });

  it('the same file twice changes nothing; a changed record is an update; duplicates in a file: last wins', async () => {
    const a = await anAudience(t, pub);
    const lines = Array.from({ length: 10 }, (_, i) => ({ email: `same${i}@example.com`, traits: { n: i } }));
    expect((await uploadNdjson(t, pub, a.id, lines).expect(200)).body).toMatchObject({ received: 10, inserted: 10, unchanged: 0 });
    const before = await records(t).find({ audienceId: new Types.ObjectId(a.id) }).sort({ key: 1 }).toArray();
    expect((await uploadNdjson(t, pub, a.id, lines).expect(200)).body).toEqual({
      received: 10, inserted: 0, updated: 0, unchanged: 10, rejected: 0, errors: [],
    });
    expect(await records(t).find({ audienceId: new Types.ObjectId(a.id) }).sort({ key: 1 }).toArray()).toEqual(before);

    const changed = lines.map((l, i) => (i === 4 ? { ...l, traits: { n: 40 } } : l));
    expect((await uploadNdjson(t, pub, a.id, changed).expect(200)).body).toMatchObject({ inserted: 0, updated: 1, unchanged: 9 });

    const dup = [{ email: 'dup@example.com', traits: { v: 1 } }, { email: 'DUP@example.com ', traits: { v: 2 } }, { email: 'dup@example.com', traits: { v: 2 } }];
    expect((await uploadNdjson(t, pub, a.id, dup).expect(200)).body).toMatchObject({ received: 3, inserted: 1, updated: 1, unchanged: 1 });
    expect((await records(t).findOne({ key: sha('dup@example.com') }))!.traits).toEqual({ v: 2 });
    expect((await t.http().get(`/v1/audiences/${a.id}`).set(pub.auth)).body.subjectCount).toBe(11);
  });

  it("a subject's _id is <audienceId>:<key>; one stored earlier under an ObjectId _id is updated in place, never duplicated", async () => {
    const a = await anAudience(t, pub);
    expect((await uploadNdjson(t, pub, a.id, [{ email: 'fresh@example.com', traits: { n: 1 } }]).expect(200)).body).toMatchObject({ inserted: 1 });
    expect((await records(t).findOne({ key: sha('fresh@example.com') }))!._id).toBe(`${a.id}:${sha('fresh@example.com')}`);

    const legacyKey = sha('legacy@example.com');
    const seeded = await seedAudienceWithSubjects(t, pub, { subjects: [{ key: legacyKey, traits: { n: 1 } }] });
    const lines = [{ email: 'legacy@example.com', traits: { n: 2 } }, { email: 'other@example.com', traits: { n: 3 } }];
    expect((await uploadNdjson(t, pub, seeded.audienceId, lines).expect(200)).body).toEqual({
      received: 2, inserted: 1, updated: 1, unchanged: 0, rejected: 0, errors: [],
    });
    const stored = await records(t).find({ key: legacyKey }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]._id).toBeInstanceOf(Types.ObjectId);
    expect(stored[0].traits).toEqual({ n: 2 });
    expect((await uploadNdjson(t, pub, seeded.audienceId, lines).expect(200)).body).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    expect(await records(t).countDocuments({ audienceId: new Types.ObjectId(seeded.audienceId) })).toBe(2);
  });

  it('two concurrent uploads of the same file store every subject once and count each record once', async () => {
    const a = await anAudience(t, pub);
    const lines = Array.from({ length: 30 }, (_, i) => ({ email: `conc${i}@example.com`, traits: { i }, consent: { status: 'granted', purposes: [1] } }));
    const [x, y] = await Promise.all([uploadNdjson(t, pub, a.id, lines).expect(200), uploadNdjson(t, pub, a.id, lines).expect(200)]);
    expect(x.body.inserted + y.body.inserted).toBe(30);
    expect(x.body.unchanged + y.body.unchanged).toBe(30);
    expect(x.body.updated + y.body.updated + x.body.rejected + y.body.rejected).toBe(0);
    expect(await records(t).countDocuments({ audienceId: new Types.ObjectId(a.id) })).toBe(30);
    expect((await t.http().get(`/v1/audiences/${a.id}`).set(pub.auth)).body.subjectCount).toBe(30);
  });

  it('decodes a TCF string: purposes, vendor consent, lastUpdated; keeps only its hash; consent change is in the ledger', async () => {
    const a = await anAudience(t, pub);
    const tc = aTcString([1, 3, 4], [1]);
    const res = await uploadNdjson(t, pub, a.id, [
      { email: 'tcf@example.com', consent: { tcString: tc } },
      { email: 'tcf2@example.com', consent: { tcString: aTcString([1, 2], [7]) } },
    ]).expect(200);
    expect(res.body).toMatchObject({ inserted: 2, rejected: 0 });
    const s = await records(t).findOne({ key: sha('tcf@example.com') });
    expect(s!.consent).toMatchObject({ status: 'granted', purposes: [1, 3, 4], vendorConsent: true, tcStringHash: sha(tc), source: 'ingest' });
    const today = new Date();
    expect((s!.consent.at as Date).toISOString().slice(0, 10)).toBe(today.toISOString().slice(0, 10));
    expect((await records(t).findOne({ key: sha('tcf2@example.com') }))!.consent).toMatchObject({ status: 'denied', purposes: [1, 2], vendorConsent: false });
    const dump = JSON.stringify(await records(t).find({}).toArray());
    expect(dump).not.toContain(tc);

    const hist = await t.http().get(`/v1/consent/${sha('tcf@example.com')}`).set(pub.auth).expect(200);
    expect(hist.body.history).toEqual([expect.objectContaining({ status: 'granted', source: 'ingest', purposes: [1, 3, 4] })]);
    // The same consent again appends nothing; a different one appends an event.
    await uploadNdjson(t, pub, a.id, [{ email: 'tcf@example.com', consent: { tcString: tc } }]).expect(200);
    await uploadNdjson(t, pub, a.id, [{ email: 'tcf@example.com', consent: { status: 'denied', at: '2025-01-01T00:00:00Z' } }]).expect(200);
    const hist2 = await t.http().get(`/v1/consent/${sha('tcf@example.com')}`).set(pub.auth).expect(200);
    expect(hist2.body.history.map((e: any) => e.status)).toEqual(['granted', 'denied']);
    expect(hist2.body.current).toMatchObject({ status: 'denied', purposes: [], vendorConsent: false, at: '2025-01-01T00:00:00.000Z' });
  });

  it('never stores or logs a raw email or phone', async () => {
    const a = await anAudience(t, pub);
    const email = 'Secret.Person+promo@Example.org';
    const phone = '+44 20 7946 0958';
    await uploadNdjson(t, pub, a.id, [
      { email, phone, traits: { tier: 'gold' } },
      { email: 'broken@@example.org' },
      `{"email": "${email}", "traits": {"religion": "x"}}`,
    ]).expect(200);
    await t.http().post('/v1/consent').set(pub.auth).send({ audienceId: a.id, identifier: { email }, status: 'granted', purposes: [1], source: 'cmp' }).expect(201);
    await t.http().post('/v1/erasures').set(pub.auth).send({ identifier: { phone } }).expect(202);
    const needles = [email, email.toLowerCase(), 'secret.person', 'secretperson', 'broken@@example.org', phone, '+442079460958', '2079460958'];
    const db = t.connection.db!;
    for (const c of await db.listCollections().toArray()) {
      const dump = JSON.stringify(await db.collection(c.name).find({}).toArray()).toLowerCase();
      for (const n of needles) expect(dump).not.toContain(n.toLowerCase());
    }
    const logs = t.logs.join('\n').toLowerCase();
    expect(logs.length).toBeGreaterThan(0);
    for (const n of needles) expect(logs).not.toContain(n.toLowerCase());
  });

  it('415 on an unsupported content type', async () => {
    const a = await anAudience(t, pub);
    const res = await post(t, pub, a.id, 'text/plain', 'email\nx@example.com\n').expect(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('an upload dropped mid-way keeps every written batch; a re-send completes it without duplicates', async () => {
    const a = await anAudience(t, pub);
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ email: `drop${i}@example.com`, traits: { i } }) + '\n');
    const full = lines.join('');
    const server = t.app.getHttpServer();
    if (!server.address()) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: `/v1/audiences/${a.id}/records`,
      headers: { ...pub.auth, 'Content-Type': 'application/x-ndjson', 'Content-Length': String(Buffer.byteLength(full)) },
    });
    req.on('error', () => undefined);
    req.write(lines.slice(0, 7).join(''));
    const stored = () => records(t).countDocuments({ audienceId: new Types.ObjectId(a.id) });
    const deadline = Date.now() + 10_000;
    while ((await stored()) < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    req.write(lines[7].slice(0, 10));
    req.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const kept = await stored();
    expect(kept).toBeGreaterThanOrEqual(6);
    expect(kept % 3).toBe(0);
    expect(kept).toBeLessThan(20);

    const res = await post(t, pub, a.id, 'application/x-ndjson', full).expect(200);
    expect(res.body).toEqual({ received: 20, inserted: 20 - kept, updated: 0, unchanged: kept, rejected: 0, errors: [] });
    expect(await stored()).toBe(20);
    expect((await t.http().get(`/v1/audiences/${a.id}`).set(pub.auth)).body.subjectCount).toBe(20);
  });
});

describe('ingest limits and API keys', () => {
  let t: TestApp;
  let pub: Actor;
  beforeAll(async () => {
    t = await createTestApp({ env: { UPLOAD_MAX_BYTES: '2048' } });
    pub = await aPublisher(t);
  });
  afterAll(() => t.close());

  it('413 when the body is over UPLOAD_MAX_BYTES, declared or streamed', async () => {
    const a = await anAudience(t, pub);
    const lines = Array.from({ length: 100 }, (_, i) => ({ email: `big${i}@example.com` }));
    const res = await uploadNdjson(t, pub, a.id, lines).expect(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    // Chunked (no Content-Length): counted while streaming.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const server = t.app.getHttpServer();
      const go = () => {
        const port = (server.address() as AddressInfo).port;
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/v1/audiences/${a.id}/records`, headers: { ...pub.auth, 'Content-Type': 'application/x-ndjson' } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        for (const l of lines) req.write(JSON.stringify(l) + '\n');
        req.end();
      };
      if (server.address()) go();
      else server.listen(0, '127.0.0.1', go);
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an API key with scope ingest may upload and collect; a consent-only key gets 403; collect refuses bearer tokens', async () => {
    const a = await anAudience(t, pub);
    const ingestKey = await anApiKey(t, pub, ['ingest']);
    const consentKey = await anApiKey(t, pub, ['consent']);
    const up = await uploadNdjson(t, ingestKey, a.id, [{ email: 'k1@example.com' }]).expect(200);
    expect(up.body.inserted).toBe(1);
    expect((await uploadNdjson(t, consentKey, a.id, [{ email: 'k2@example.com' }]).expect(403)).body.code).toBe('API_KEY_SCOPE');

    const events = [
      { email: 'k1@example.com', traits: { last_section: 'sport' }, channel: 'app', at: '2025-03-01T10:00:00Z' },
      { maid: 'aebe52e7-03ee-455a-b3c4-e57283966239', channel: 'web', at: '2025-03-01T10:00:00Z' },
      { email: 'k3@example.com', channel: 'Bad Channel', at: '2025-03-01T10:00:00Z' },
    ];
    const res = await t.http().post('/v1/collect').set(ingestKey).send({ audienceId: a.id, events }).expect(202);
    expect(res.body).toEqual({ accepted: 2, rejected: 1, errors: [{ line: 3, code: 'INVALID_CHANNEL', message: expect.any(String) }] });
    const s = await t.connection.db!.collection('subjects').findOne({ key: sha('k1@example.com') });
    expect(s).toMatchObject({ traits: { last_section: 'sport' }, channels: ['web', 'app'], lastSeenAt: new Date('2025-03-01T10:00:00Z') });
    expect((await t.http().get(`/v1/audiences/${a.id}`).set(pub.auth)).body.subjectCount).toBe(2);

    await t.http().post('/v1/collect').set(pub.auth).send({ audienceId: a.id, events }).expect(401);
    await t.http().post('/v1/collect').set(consentKey).send({ audienceId: a.id, events }).expect(403);
    const tooMany = Array.from({ length: 1001 }, () => events[0]);
    await t.http().post('/v1/collect').set(ingestKey).send({ audienceId: a.id, events: tooMany }).expect(400);
    const other = await aPublisher(t);
    const otherKey = await anApiKey(t, other, ['ingest']);
    await t.http().post('/v1/collect').set(otherKey).send({ audienceId: a.id, events }).expect(404);
  });
});
