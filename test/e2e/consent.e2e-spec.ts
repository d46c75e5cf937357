import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../helpers/app';
import { type Actor, anAdmin, anAdvertiser, anApiKey, anAudience, aPublisher, uploadNdjson } from '../helpers/builders';
import { aTcString } from '../helpers/tcf';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('consent ledger and erasure', () => {
  let t: TestApp;
  let pub: Actor;
  let other: Actor;
  let adv: Actor;
  beforeAll(async () => {
    t = await createTestApp();
    [pub, other, adv] = await Promise.all([aPublisher(t), aPublisher(t), anAdvertiser(t)]);
  });
  afterAll(() => t.close());

  it('POST /v1/consent records a change, updates the subject and builds a history', async () => {
    const a = await anAudience(t, pub);
    await uploadNdjson(t, pub, a.id, [{ email: 'c1@example.com', consent: { status: 'granted', purposes: [1, 3, 4], at: '2024-01-01T00:00:00Z' } }]).expect(200);
    const key = sha('c1@example.com');
    const res = await t.http().post('/v1/consent').set(pub.auth)
      .send({ audienceId: a.id, identifier: { email: 'C1@example.com' }, status: 'revoked', purposes: [], source: 'cmp' }).expect(201);
    expect(res.body).toEqual({
      subjectKey: key,
      current: { status: 'revoked', purposes: [], vendorConsent: false, at: expect.any(String), source: 'cmp' },
      buyersNotified: 0,
    });
    const subject = await t.connection.db!.collection('subjects').findOne({ key });
    expect(subject!.consent).toMatchObject({ status: 'revoked', purposes: [], vendorConsent: false, source: 'cmp' });

    const tc = aTcString([1, 3, 4, 7], [1]);
    const viaKey = await anApiKey(t, pub, ['consent']);
    const granted = await t.http().post('/v1/consent').set(viaKey)
      .send({ audienceId: a.id, identifier: { emailSha256: key }, status: 'granted', purposes: [1], tcString: tc, source: 'cmp' }).expect(201);
    expect(granted.body.current).toMatchObject({ status: 'granted', purposes: [1, 3, 4, 7], vendorConsent: true, tcStringHash: sha(tc) });

    const hist = await t.http().get(`/v1/consent/${key}`).set(pub.auth).expect(200);
    expect(hist.body.subjectKey).toBe(key);
    expect(hist.body.history.map((e: any) => [e.status, e.source])).toEqual([['granted', 'ingest'], ['revoked', 'cmp'], ['granted', 'cmp']]);
    expect(hist.body.history[0]).toMatchObject({ audienceId: a.id, at: '2024-01-01T00:00:00.000Z', purposes: [1, 3, 4] });
    expect(hist.body.current).toEqual(granted.body.current);

    const ingestKey = await anApiKey(t, pub, ['ingest']);
    await t.http().post('/v1/consent').set(ingestKey)
      .send({ audienceId: a.id, identifier: { emailSha256: key }, status: 'denied', purposes: [], source: 'cmp' }).expect(403);
    await t.http().post('/v1/consent').set(pub.auth)
      .send({ audienceId: a.id, identifier: { email: 'nope' }, status: 'denied', purposes: [], source: 'cmp' }).expect(400);
    await t.http().post('/v1/consent').set(pub.auth)
      .send({ audienceId: a.id, identifier: { email: 'c1@example.com' }, status: 'granted', purposes: [1], tcString: 'garbage', source: 'cmp' })
      .expect(400)
      .expect((r) => expect(r.body.code).toBe('INVALID_TC_STRING'));
  });

  it('an upload records its consent changes grouped by state, and a key changed twice in one file keeps both, in order', async () => {
    const a = await anAudience(t, pub);
    const granted = { status: 'granted', purposes: [1, 3, 4], at: '2024-03-01T00:00:00Z' };
    const records = [
      ...Array.from({ length: 5 }, (_, i) => ({ email: `g${i}@ledger.example`, consent: granted })),
      { email: 'twice@ledger.example', consent: granted },
      { email: 'd0@ledger.example', consent: { status: 'denied', purposes: [], at: '2024-03-02T00:00:00Z' } },
      { email: 'twice@ledger.example', consent: { status: 'denied', purposes: [], at: '2024-03-03T00:00:00Z' } },
      { email: 'none@ledger.example' },
    ];
    await uploadNdjson(t, pub, a.id, records).expect(200);

    const entries = await t.connection.db!.collection('consentEvents')
      .find({ 'groups.audienceId': new Types.ObjectId(a.id) }).sort({ recordedAt: 1, _id: 1 }).toArray();
    // The repeated key opens a second entry; the first holds one group per distinct state.
    expect(entries).toHaveLength(2);
    expect(entries[0].groups.map((g: any) => [g.status, g.subjectKeys.length])).toEqual([['granted', 6], ['denied', 1]]);
    expect(entries[1].groups.map((g: any) => [g.status, g.subjectKeys])).toEqual([['denied', [sha('twice@ledger.example')]]]);
    expect(entries.flatMap((e) => e.groups.flatMap((g: any) => g.subjectKeys))).not.toContain(sha('none@ledger.example'));

    const twice = await t.http().get(`/v1/consent/${sha('twice@ledger.example')}`).set(pub.auth).expect(200);
    expect(twice.body.history.map((e: any) => [e.status, e.at])).toEqual([
      ['granted', '2024-03-01T00:00:00.000Z'],
      ['denied', '2024-03-03T00:00:00.000Z'],
    ]);
    expect(twice.body.current).toMatchObject({ status: 'denied', source: 'ingest' });
    const one = await t.http().get(`/v1/consent/${sha('g3@ledger.example')}`).set(pub.auth).expect(200);
    expect(one.body.history).toEqual([
      { status: 'granted', purposes: [1, 3, 4], vendorConsent: true, at: '2024-03-01T00:00:00.000Z', source: 'ingest', audienceId: a.id, recordedAt: expect.any(String) },
    ]);
    await t.http().get(`/v1/consent/${sha('none@ledger.example')}`).set(pub.auth).expect(404);
  });

  it("another publisher cannot read or write a subject's consent; advertisers get 403", async () => {
    const a = await anAudience(t, pub);
    await uploadNdjson(t, pub, a.id, [{ email: 'c2@example.com', consent: { status: 'granted', purposes: [1] } }]).expect(200);
    const key = sha('c2@example.com');
    await t.http().get(`/v1/consent/${key}`).set(other.auth).expect(404);
    await t.http().post('/v1/consent').set(other.auth)
      .send({ audienceId: a.id, identifier: { emailSha256: key }, status: 'revoked', purposes: [], source: 'cmp' }).expect(404);
    await t.http().get(`/v1/consent/${key}`).set(adv.auth).expect(403);
    await t.http().post('/v1/erasures').set(adv.auth).send({ identifier: { emailSha256: key } }).expect(403);
    // Another publisher's erasure of the same person leaves this publisher's data alone.
    const foreign = await t.http().post('/v1/erasures').set(other.auth).send({ identifier: { email: 'c2@example.com' } }).expect(202);
    expect(foreign.body).toEqual({ subjectKey: key, removedFrom: 0, buyersNotified: 0 });
    expect(await t.connection.db!.collection('subjects').countDocuments({ key })).toBe(1);
    await t.http().get(`/v1/consent/${'0'.repeat(64)}`).set(pub.auth).expect(404);
  });

  it('erasure removes the subject everywhere, blocks re-upload, and accepts it again with consent given afterwards', async () => {
    const a1 = await anAudience(t, pub);
    const a2 = await anAudience(t, pub);
    const phone = '+33 6 98 76 54 32';
    await uploadNdjson(t, pub, a1.id, [{ email: 'erase@example.com', phone }, { email: 'keep@example.com' }]).expect(200);
    // Keyed by phone in the second audience: found through its stored phone hash.
    await uploadNdjson(t, pub, a2.id, [{ phone, traits: { tier: 'gold' } }]).expect(200);

    const res = await t.http().post('/v1/erasures').set(pub.auth).send({ identifier: { email: ' Erase@Example.com' } }).expect(202);
    const key = sha('erase@example.com');
    expect(res.body).toEqual({ subjectKey: key, removedFrom: 2, buyersNotified: 0 });
    const subjects = t.connection.db!.collection('subjects');
    expect(await subjects.countDocuments({ key })).toBe(0);
    expect(await subjects.countDocuments({ key: sha('+33698765432') })).toBe(0);
    expect((await t.http().get(`/v1/audiences/${a1.id}`).set(pub.auth)).body.subjectCount).toBe(1);
    expect((await t.http().get(`/v1/audiences/${a2.id}`).set(pub.auth)).body.subjectCount).toBe(0);

    const hist = await t.http().get(`/v1/consent/${key}`).set(pub.auth).expect(200);
    expect(hist.body.current).toMatchObject({ status: 'revoked', source: 'erasure' });

    const admin = await anAdmin(t);
    const audit = await t.http().get(`/v1/admin/audit?targetId=${key}`).set(admin.auth).expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'subject.erase', targetType: 'subject', targetId: key, orgId: pub.organizationId })]);

    const again = await uploadNdjson(t, pub, a1.id, [
      { email: 'erase@example.com', traits: { tier: 'gold' } },
      { email: 'erase@example.com', consent: { status: 'granted', purposes: [1, 3, 4], at: '2020-01-01T00:00:00Z' } },
      { phone, traits: { tier: 'x' } },
      { email: 'keep@example.com' },
    ]).expect(200);
    expect(again.body).toEqual({
      received: 4, inserted: 0, updated: 0, unchanged: 1, rejected: 3,
      errors: [1, 2, 3].map((line) => ({ line, code: 'SUBJECT_ERASED', message: expect.any(String) })),
    });

    const fresh = new Date(Date.now() + 1000).toISOString();
    const back = await uploadNdjson(t, pub, a1.id, [{ email: 'erase@example.com', consent: { status: 'granted', purposes: [1, 3, 4], at: fresh } }]).expect(200);
    expect(back.body).toMatchObject({ inserted: 1, rejected: 0 });
    expect((await t.http().get(`/v1/audiences/${a1.id}`).set(pub.auth)).body.subjectCount).toBe(2);

    // Erasing again moves the tombstone forward: the same consent no longer suffices.
    await new Promise((r) => setTimeout(r, 1100));
    await t.http().post('/v1/erasures').set(pub.auth).send({ identifier: { emailSha256: key } }).expect(202);
    const erasures = await t.connection.db!.collection('erasures').find({ subjectKey: key }).toArray();
    expect(erasures).toHaveLength(1);
    expect(erasures[0].erasedAt.getTime()).toBeGreaterThan(Date.now() - 5000);
    const blocked = await uploadNdjson(t, pub, a1.id, [{ email: 'erase@example.com', consent: { status: 'granted', purposes: [1, 3, 4], at: fresh } }]).expect(200);
    expect(blocked.body.errors).toEqual([{ line: 1, code: 'SUBJECT_ERASED', message: expect.any(String) }]);
  });
});
