import { jest } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../helpers/app';
import { type Actor, anAdmin, anAdvertiser, aPublisher } from '../helpers/builders';
import { aListing, anApprovedListing, aSegment, aSubmittedListing } from '../helpers/market';
import { GRANTED, type SeedSubject, seedAudienceWithSubjects, subjects } from '../helpers/seed';

jest.setTimeout(180_000);

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const stranger = () => sha(`stranger-${randomBytes(8).toString('hex')}@example.test`);
const sport = { interests: ['sport'], country: 'CMR' };

/** Audience members with explicit keys, so tests know who is who. */
async function anAudience(t: TestApp, pub: Actor, members: { key: string; consent?: SeedSubject['consent'] }[]): Promise<string> {
  const { audienceId } = await seedAudienceWithSubjects(t, pub, {
    subjects: members.map((m) => ({ key: m.key, traits: sport, ...(m.consent !== undefined ? { consent: m.consent } : {}) })),
  });
  return audienceId;
}

async function aSegmentOver(t: TestApp, pub: Actor, audienceIds: string[]): Promise<string> {
  const res = await t
    .http()
    .post('/v1/segments')
    .set(pub.auth)
    .send({ name: `sport ${audienceIds.join(',')}`, audienceIds, rules: { all: [{ trait: 'interests', op: 'eq', value: 'sport' }] } })
    .expect(201);
  return res.body.id;
}

/**
 * POST /v1/matching/overlap over node:http, the body sent as these chunks without a Content-Length (supertest
 * would serialize a Buffer given with a JSON content type).
 */
async function rawOverlap(t: TestApp, chunks: Buffer[], headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const server = t.app.getHttpServer();
  if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request(`http://127.0.0.1:${port}/v1/matching/overlap`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

const keys = (n: number, tag: string) => Array.from({ length: n }, (_, i) => sha(`${tag}-${i}-${randomBytes(4).toString('hex')}`));

describe('matching: overlap with a large ε (noise negligible)', () => {
  const EPSILON = 50;
  const BUDGET = 1000;
  // P(|Laplace(1/ε)| > t) = exp(-t·ε): t = ln(1e9)/ε keeps a failure under 1e-9. publicCount then rounds to two
  // significant figures (step 10 between 100 and 999) and moves the value by at most half a step.
  const bound = (exact: number) => Math.log(1e9) / EPSILON + Math.max(1, 10 ** (Math.floor(Math.log10(exact)) - 1)) / 2;

  let t: TestApp;
  let pub: Actor;
  let adv: Actor;
  let admin: Actor;
  let listingId: string;
  const consented = keys(400, 'consented');
  const noConsent = keys(60, 'no-consent');
  const missingPurpose = keys(40, 'missing-purpose');
  const submittedStrangers: string[] = [];
  const overlap = (listing: string, identifiers: string[], who: Actor = adv) =>
    t.http().post('/v1/matching/overlap').set(who.auth).send({ listingId: listing, identifiers });

  beforeAll(async () => {
    t = await createTestApp({
      env: { OVERLAP_EPSILON: String(EPSILON), OVERLAP_EPSILON_BUDGET: String(BUDGET), OVERLAP_MAX_IDENTIFIERS: '20000' },
      captureLogs: true,
    });
    [pub, adv, admin] = await Promise.all([aPublisher(t), anAdvertiser(t), anAdmin(t)]);
    const audienceId = await anAudience(t, pub, [
      ...consented.map((key) => ({ key })),
      ...noConsent.map((key) => ({ key, consent: null })),
      ...missingPurpose.map((key) => ({ key, consent: { ...GRANTED, purposes: [1, 2, 3] } })),
    ]);
    const segmentId = await aSegmentOver(t, pub, [audienceId]);
    listingId = (await anApprovedListing(t, pub, admin, segmentId)).id;
  });
  afterAll(() => t.close());

  it('estimates the consented members among the submission within the Laplace bound', async () => {
    const strangers = Array.from({ length: 50 }, stranger);
    submittedStrangers.push(...strangers);
    const identifiers = [...consented.slice(0, 200), ...noConsent.slice(0, 30), ...missingPurpose.slice(0, 20), ...strangers];
    const res = await overlap(listingId, identifiers).expect(200);
    expect(res.body).toEqual({
      listingId,
      submitted: 300,
      matchedEstimate: expect.any(Number),
      matchRateEstimate: expect.any(Number),
      privacy: { epsilon: EPSILON, epsilonSpent: EPSILON, epsilonRemaining: BUDGET - EPSILON },
    });
    expect(bound(200)).toBeLessThan(6); // so the assertion below is tight: the estimate is 200
    expect(Math.abs(res.body.matchedEstimate - 200)).toBeLessThanOrEqual(bound(200));
    expect(res.body.matchRateEstimate).toBe(Math.round((res.body.matchedEstimate / 300) * 100) / 100);
  });

  it('counts duplicates in the submission once', async () => {
    const strangers = Array.from({ length: 50 }, stranger);
    submittedStrangers.push(...strangers);
    const once = [...consented.slice(100, 300), ...strangers];
    const res = await overlap(listingId, [...once, ...once, ...consented.slice(100, 150)]).expect(200);
    expect(res.body.submitted).toBe(250);
    expect(Math.abs(res.body.matchedEstimate - 200)).toBeLessThanOrEqual(bound(200));
  });

  it('counts a subject present in two audiences of the segment once', async () => {
    const extra = keys(100, 'second-audience');
    const second = await anAudience(t, pub, [...consented.slice(0, 150).map((key) => ({ key })), ...extra.map((key) => ({ key }))]);
    const first = String((await t.connection.collection('subjects').findOne({ key: consented[0] }))!.audienceId);
    const segmentId = await aSegmentOver(t, pub, [first, second]);
    const listing = (await anApprovedListing(t, pub, admin, segmentId, { title: 'Two audiences' })).id;
    const res = await overlap(listing, [...consented, ...extra, ...noConsent]).expect(200);
    expect(res.body.submitted).toBe(560);
    // 400 + 100 distinct consented people; 150 of them are in both audiences (650 rows).
    expect(Math.abs(res.body.matchedEstimate - 500)).toBeLessThanOrEqual(bound(500));
  });

  it('only counts members consenting to every purpose the listing requires', async () => {
    const audienceId = String((await t.connection.collection('subjects').findOne({ key: consented[0] }))!.audienceId);
    const segmentId = await aSegmentOver(t, pub, [audienceId]);
    const listing = (await anApprovedListing(t, pub, admin, segmentId, { title: 'Needs purpose 7' })).id;
    // No API sets requiredPurposes yet: written directly, as a listing needing TCF purpose 7 would hold it.
    await t.connection.collection('listings').updateOne({ _id: new Types.ObjectId(listing) }, { $set: { requiredPurposes: [1, 3, 4, 7] } });
    const res = await overlap(listing, consented).expect(200);
    expect(res.body).toMatchObject({ submitted: 400, matchedEstimate: '<100', matchRateEstimate: null });
  });

  it('shows "<100" and no match rate under k', async () => {
    const res = await overlap(listingId, [...consented.slice(0, 30), ...noConsent]).expect(200);
    expect(res.body).toMatchObject({ listingId, submitted: 90, matchedEstimate: '<100', matchRateEstimate: null });
  });

  it('answers 404 for unknown and unapproved listings, without spending budget', async () => {
    const other = await anAdvertiser(t);
    const segmentId = String((await t.connection.collection('listings').findOne({ _id: new Types.ObjectId(listingId) }))!.segmentId);
    const draft = await aListing(t, pub, segmentId, { title: 'Draft' });
    const pending = await aSubmittedListing(t, pub, segmentId, { title: 'Pending' });
    const suspended = await anApprovedListing(t, pub, admin, segmentId, { title: 'Suspended' });
    await t.http().post(`/v1/admin/listings/${suspended.id}/suspend`).set(admin.auth).send({ reason: 'checking' }).expect(200);
    for (const id of [new Types.ObjectId().toHexString(), draft.id, pending.id, suspended.id]) {
      const res = await overlap(id, consented.slice(0, 5), other).expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
    expect(await t.connection.collection('privacySpends').countDocuments({ orgId: new Types.ObjectId(other.organizationId) })).toBe(0);
  });

  it('is for advertisers only', async () => {
    await overlap(listingId, consented.slice(0, 5), pub).expect(403);
    await overlap(listingId, consented.slice(0, 5), admin).expect(403);
    await t.http().post('/v1/matching/overlap').send({ listingId, identifiers: consented.slice(0, 5) }).expect(401);
  });

  it.each([
    ['not hex', () => ['z'.repeat(64)], 'identifiers.0'],
    ['upper-case hex', () => [consented[0], consented[1].toUpperCase()], 'identifiers.1'],
    ['63 characters', () => [consented[0].slice(1)], 'identifiers.0'],
    ['65 characters', () => [consented[0] + 'a'], 'identifiers.0'],
    ['a number', () => [consented[0], 12], 'identifiers.1'],
    ['empty', () => [], 'identifiers'],
    ['not an array', () => consented[0], 'identifiers'],
    ['above OVERLAP_MAX_IDENTIFIERS', () => Array.from({ length: 20_001 }, (_, i) => sha(String(i))), 'identifiers'],
  ])('refuses identifiers that are %s (400)', async (_name, make, field) => {
    const res = await overlap(listingId, make() as string[]).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details).toEqual([{ field, errors: [expect.any(String)] }]);
    expect(JSON.stringify(res.body)).not.toContain(consented[1].toUpperCase());
  });

  it('refuses a bad listing id or an unknown field (400)', async () => {
    await overlap('nope', consented.slice(0, 2)).expect(400);
    const res = await t.http().post('/v1/matching/overlap').set(adv.auth).send({ listingId, identifiers: consented.slice(0, 2), extra: 1 }).expect(400);
    expect(res.body.details).toEqual([{ field: 'extra', errors: ['property extra should not exist'] }]);
  });

  it('accepts a body far above the global JSON limit on this route only', async () => {
    const many = [...Array.from({ length: 19_000 }, (_, i) => sha(`bulk-${i}`)), ...consented.slice(0, 200)];
    const res = await overlap(listingId, many).expect(200);
    expect(res.body.submitted).toBe(19_200);
    expect(Math.abs(res.body.matchedEstimate - 200)).toBeLessThanOrEqual(bound(200));
    // The same 1.3 MB elsewhere is still refused by the 1 MB default.
    const big = await t.http().post('/v1/matching/recommendations').set(adv.auth).send({ taxonomyIds: [607], padding: many }).expect(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('reads the body as it streams: gzip counts the same, malformed JSON is 400, other charsets and encodings 415', async () => {
    const buyer = await anAdvertiser(t);
    const json = JSON.stringify({ listingId, identifiers: [...consented.slice(0, 150), ...consented.slice(0, 20)] });
    const post = () => t.http().post('/v1/matching/overlap').set(buyer.auth);
    const zipped = await rawOverlap(t, [gzipSync(json)], { ...buyer.auth, 'Content-Encoding': 'gzip' });
    expect(zipped.status).toBe(200);
    expect(zipped.body.submitted).toBe(150);
    expect(Math.abs(zipped.body.matchedEstimate - 150)).toBeLessThanOrEqual(bound(150));

    const malformed = await post().set('Content-Type', 'application/json').send(json.replace(']', ',]')).expect(400);
    expect(malformed.body.code).toBe('MALFORMED_JSON');
    const latin1 = await post().set('Content-Type', 'application/json; charset=latin1').send(json).expect(415);
    expect(latin1.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const zstd = await post().set('Content-Type', 'application/json').set('Content-Encoding', 'compress').send(json).expect(415);
    expect(zstd.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // Refused before any budget was spent: the one answer above is all this buyer paid for.
    const again = await post().send({ listingId, identifiers: consented.slice(0, 5) }).expect(200);
    expect(again.body.privacy.epsilonSpent).toBe(2 * EPSILON);
  });

  it('stops at the budget: exactly floor(budget / ε) answers, then 429 PRIVACY_BUDGET_EXHAUSTED', async () => {
    const buyer = await anAdvertiser(t);
    const slots = Math.floor(BUDGET / EPSILON);
    const results = await Promise.all(Array.from({ length: slots + 5 }, () => overlap(listingId, consented.slice(0, 150), buyer)));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(slots);
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.body.code).toBe('PRIVACY_BUDGET_EXHAUSTED');
    expect(ok.map((r) => r.body.privacy.epsilonSpent).sort((a, b) => a - b)).toEqual(Array.from({ length: slots }, (_, i) => (i + 1) * EPSILON));
    const after = await overlap(listingId, consented.slice(0, 150), buyer).expect(429);
    expect(after.body.code).toBe('PRIVACY_BUDGET_EXHAUSTED');
    // Another advertiser still has its own budget.
    await overlap(listingId, consented.slice(0, 150)).expect(200);
  });

  it('records counts only: the submitted identifiers appear nowhere in the database or the logs', async () => {
    const rows = await t.connection.collection('overlapQueries').find({ buyerOrgId: new Types.ObjectId(adv.organizationId) }).toArray();
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(rows[0]).sort()).toEqual(['_id', 'at', 'buyerOrgId', 'epsilon', 'listingId', 'matchedEstimate', 'sellerOrgId', 'submitted']);
    expect(submittedStrangers).toHaveLength(100);
    const members = new Set([...consented, ...noConsent, ...missingPurpose]);
    for (const { name } of await t.connection.db!.listCollections().toArray()) {
      const docs = await t.connection.collection(name).find({}).toArray();
      const text = JSON.stringify(docs);
      for (const h of submittedStrangers) expect(text).not.toContain(h);
      // Outside the publisher's own subjects, not even members' keys appear.
      if (name !== 'subjects') for (const h of members) expect(text).not.toContain(h);
    }
    const logs = t.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const h of [...submittedStrangers, ...consented]) expect(logs).not.toContain(h);
  });
});

describe('matching: the overlap body limit (OVERLAP_MAX_BYTES)', () => {
  const LIMIT = 4096;
  let t: TestApp;
  let adv: Actor;

  beforeAll(async () => {
    t = await createTestApp({ env: { OVERLAP_MAX_BYTES: String(LIMIT) } });
    adv = await anAdvertiser(t);
  });
  afterAll(() => t.close());

  const body = (n: number) => JSON.stringify({ listingId: new Types.ObjectId().toHexString(), identifiers: Array.from({ length: n }, (_, i) => sha(String(i))) });

  const chunked = (chunks: Buffer[], headers: Record<string, string> = {}) => rawOverlap(t, chunks, { ...adv.auth, ...headers });

  it('refuses a body above the limit, declared or streamed, and a compressed body that inflates above it (413)', async () => {
    expect(Buffer.byteLength(body(70))).toBeGreaterThan(LIMIT);
    const declared = await t.http().post('/v1/matching/overlap').set(adv.auth).send(JSON.parse(body(70))).expect(413);
    expect(declared.body.code).toBe('PAYLOAD_TOO_LARGE');
    const big = Buffer.from(body(70));
    const streamed = await chunked([big.subarray(0, 1000), big.subarray(1000, 3000), big.subarray(3000)]);
    expect(streamed).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    const bomb = gzipSync(JSON.stringify({ listingId: new Types.ObjectId().toHexString(), identifiers: Array(400).fill(sha('x')) }));
    expect(bomb.length).toBeLessThan(LIMIT);
    const inflated = await chunked([bomb], { 'Content-Encoding': 'gzip' });
    expect(inflated).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('reads a body under the limit sent in chunks, cut inside identifiers', async () => {
    const small = Buffer.from(body(40));
    expect(small.length).toBeLessThan(LIMIT);
    // The listing does not exist: the body was read and checked, and the answer is the listing's 404.
    const res = await chunked([small.subarray(0, 37), small.subarray(37, 100), small.subarray(100, 1001), small.subarray(1001)]);
    expect(res).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const bad = await chunked([small.subarray(0, 100), Buffer.from(small.subarray(100).toString().replace(sha('20'), sha('20').toUpperCase()))]);
    expect(bad).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: [{ field: 'identifiers.20', errors: [expect.any(String)] }] } });
  });
});

describe('matching: overlap noise with the default ε', () => {
  // k = 10 so an exact count of 50 is shown to the unit (two significant figures of 10..99): the only
  // post-processing is rounding to an integer, so the released error is round(Laplace(0, 1/ε)).
  const EPSILON = 0.5;
  const N = 600;
  let t: TestApp;
  let adv: Actor;
  let listingId: string;
  let identifiers: string[];

  beforeAll(async () => {
    t = await createTestApp({ env: { MIN_SEGMENT_SIZE: '10', OVERLAP_EPSILON_BUDGET: '1000' } });
    const [pub, admin] = await Promise.all([aPublisher(t), anAdmin(t)]);
    adv = await anAdvertiser(t);
    const members = keys(60, 'member');
    const audienceId = await anAudience(t, pub, members.map((key) => ({ key })));
    listingId = (await anApprovedListing(t, pub, admin, await aSegmentOver(t, pub, [audienceId]))).id;
    identifiers = [...members.slice(0, 50), ...Array.from({ length: 20 }, stranger)];
  });
  afterAll(() => t.close());

  it(`over ${N} answers: mean error within 4σ/√n, tails as exp(-(t+½)ε)`, async () => {
    const errors: number[] = [];
    const worker = async () => {
      while (errors.length < N) {
        const res = await t.http().post('/v1/matching/overlap').set(adv.auth).send({ listingId, identifiers }).expect(200);
        expect(res.body.privacy.epsilon).toBe(EPSILON);
        expect(typeof res.body.matchedEstimate).toBe('number');
        errors.push(res.body.matchedEstimate - 50);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const n = errors.length;
    expect(errors.every(Number.isInteger)).toBe(true);
    // Laplace(b = 1/ε) has variance 2b²; rounding to an integer adds at most 1/12.
    const sigma = Math.sqrt(2 / EPSILON ** 2 + 1 / 12);
    const mean = errors.reduce((s, x) => s + x, 0) / n;
    expect(Math.abs(mean)).toBeLessThan((4 * sigma) / Math.sqrt(n));
    // |round(X)| > t (t an integer) ⟺ |X| > t + ½, and P(|X| > s) = exp(-s·ε).
    for (const tail of [0, 1, 3, 6]) {
      const expected = Math.exp(-(tail + 0.5) * EPSILON);
      const observed = errors.filter((e) => Math.abs(e) > tail).length / n;
      expect(Math.abs(observed - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / n));
    }
    // Symmetric noise: about as many over as under.
    const over = errors.filter((e) => e > 0).length;
    const under = errors.filter((e) => e < 0).length;
    expect(Math.abs(over - under)).toBeLessThan(4 * Math.sqrt(over + under));
  });
});

// Both catalogue readers: the marketplace snapshot (default) and the bounded database scan (snapshot off).
describe.each([
  ['snapshot', '100000'],
  ['database', '0'],
])('matching: recommendations (%s)', (_mode, snapshotMax) => {
  let t: TestApp;
  let adv: Actor;
  let pub: Actor;
  const L: Record<'soccer' | 'basketball' | 'shopping' | 'sports', string> = {} as never;
  const recommend = (brief: Record<string, unknown>, who: Actor = adv) => t.http().post('/v1/matching/recommendations').set(who.auth).send(brief);

  beforeAll(async () => {
    // No size noise: sizes are the exact consented counts (rounded to two significant figures).
    t = await createTestApp({ env: { SIZE_NOISE_SCALE: '0', MARKETPLACE_SNAPSHOT_MAX: snapshotMax } });
    const admin = await anAdmin(t);
    [pub, adv] = await Promise.all([aPublisher(t), anAdvertiser(t)]);
    const cmr = await aSegment(t, pub, { consented: 300, country: 'CMR' });
    const nga = await aSegment(t, pub, { consented: 150, country: 'NGA' });
    const mixed = await aSegment(t, pub, { consented: 600, country: (i) => (i % 2 ? 'FRA' : 'CMR') });
    L.soccer = (await anApprovedListing(t, pub, admin, cmr.id, { title: 'Soccer', taxonomyIds: [663], pricing: { model: 'cpm', amount: 250, currency: 'eur' } })).id;
    L.basketball = (await anApprovedListing(t, pub, admin, cmr.id, { title: 'Basketball', taxonomyIds: [614], pricing: { model: 'cpm', amount: 500, currency: 'eur' } })).id;
    L.shopping = (await anApprovedListing(t, pub, admin, nga.id, { title: 'Shopping', taxonomyIds: [606], pricing: { model: 'cpm', amount: 80, currency: 'usd' } })).id;
    L.sports = (await anApprovedListing(t, pub, admin, mixed.id, { title: 'Sports', taxonomyIds: [607], pricing: { model: 'flat', amount: 50_000, currency: 'eur' } })).id;
    await aListing(t, pub, cmr.id, { title: 'Draft soccer', taxonomyIds: [663] });
  });
  afterAll(() => t.close());

  it('ranks approved listings by the documented weighted score, with reasons', async () => {
    const res = await recommend({ taxonomyIds: [663], countries: ['cmr', 'FRA'], maxCpm: 400, currency: 'eur' }).expect(200);
    // Weights present: taxonomy 40, geography 20, price 15 (Σ 75).
    expect(res.body.items.map((i: any) => [i.listing.title, i.score, i.reasons])).toEqual([
      ['Soccer', 87, ["matches taxonomy 'Soccer' (id 663)", 'covers 1 of 2 requested countries: CMR', 'CPM €2.50 under your €4.00 ceiling']],
      // parent 0.6·40 + 20 + price 0 (€833.34 CPM-equivalent: 50,000 over 600 records) = 44 / 75
      ['Sports', 59, ["broader taxonomy 'Sports' (id 607), parent of 'Soccer' (id 663)", 'covers 2 of 2 requested countries: CMR, FRA', 'CPM-equivalent €833.34 over your €4.00 ceiling']],
      // sibling 0.4·40 + 10 + price (1 − 100/400)·15 = 37.25 / 75
      ['Basketball', 50, ["related taxonomy 'Basketball' (id 614), sibling of 'Soccer' (id 663)", 'covers 1 of 2 requested countries: CMR', 'CPM €5.00 over your €4.00 ceiling']],
      ['Shopping', 0, ["no taxonomy match for 'Soccer' (id 663)", 'covers none of the requested countries (CMR, FRA)', 'priced in USD, your ceiling is in EUR']],
    ]);
    // The listing is the marketplace's public DTO, field for field.
    const detail = await t.http().get(`/v1/marketplace/listings/${L.soccer}`).set(adv.auth).expect(200);
    expect(res.body.items[0].listing).toEqual(detail.body);
  });

  it('scores size and budget reach, and honours limit; ties are ordered by id', async () => {
    const res = await recommend({ minSize: 500, budget: 100_000, limit: 3 }).expect(200);
    expect(res.body.items).toHaveLength(3);
    const byTitle = Object.fromEntries(res.body.items.map((i: any) => [i.listing.title, i]));
    // Sports: 600 ≥ 500 and €1,000 covers the €500 flat price → 100.
    expect(byTitle.Sports).toMatchObject({ score: 100, reasons: ['~600 records, at least your minimum of 500', 'budget covers the flat price €500.00 for ~600 records'] });
    // Soccer and Basketball: 300 of 500 (0.6·15) and the budget buys all 300 (10) → 19/25 = 76, tied: by id.
    const tied = res.body.items.filter((i: any) => i.score === 76);
    expect(tied.map((i: any) => i.listing.id)).toEqual([L.soccer, L.basketball].sort());
    expect(tied[0].reasons).toEqual(['~300 records, under your minimum of 500', 'budget buys all ~300 records']);
    expect(res.body.items[0].listing.title).toBe('Sports');
  });

  it('refuses unknown or sensitive taxonomy ids, bad input, and non-advertisers', async () => {
    expect((await recommend({ taxonomyIds: [999_999] }).expect(400)).body.code).toBe('UNKNOWN_TAXONOMY_ID');
    expect((await recommend({ taxonomyIds: [381] }).expect(400)).body.code).toBe('SENSITIVE_TAXONOMY');
    expect((await recommend({ maxCpm: -1 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await recommend({ countries: ['France'] }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await recommend({ limit: 51 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    await recommend({ taxonomyIds: [663] }, pub).expect(403);
  });
});
