import { jest } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app';
import { type Actor, aPublisher, anAdvertiser } from '../helpers/builders';
import { seedAudienceWithSubjects, subjects } from '../helpers/seed';

// Each submit recounts a segment and computes its label; a busy machine needs more than Jest's 5 s default.
jest.setTimeout(60_000);

describe('segments', () => {
  let t: TestApp;
  let pub: Actor;
  let other: Actor;
  let audienceA: string;
  let audienceB: string;

  beforeAll(async () => {
    t = await createTestApp();
    pub = await aPublisher(t);
    other = await aPublisher(t);
    // 40 subjects: age 20..59, interests alternate sport/music, country CMR for even i else FRA; every 4th without consent.
    audienceA = (
      await seedAudienceWithSubjects(t, pub, {
        source: 'web',
        subjects: subjects(40, (i) => ({
          traits: { age: 20 + i, interests: i % 2 === 0 ? ['sport', 'news'] : ['music'], country: i % 2 === 0 ? 'CMR' : 'FRA' },
          consent: i % 4 === 3 ? { status: 'denied', purposes: [], vendorConsent: false } : undefined,
        })),
      })
    ).audienceId;
    audienceB = (
      await seedAudienceWithSubjects(t, pub, {
        source: 'crm',
        dataType: 'second_party',
        subjects: subjects(10, (i) => ({ traits: { age: 30, interests: ['sport'], country: 'CMR', vip: i < 3 } })),
      })
    ).audienceId;
  }, 60_000);
  afterAll(() => t.close());

  const sportCmr25to34 = {
    all: [
      { trait: 'interests', op: 'eq', value: 'sport' },
      { trait: 'age', op: 'gte', value: 25 },
      { trait: 'age', op: 'lte', value: 34 },
      { trait: 'country', op: 'eq', value: 'CMR' },
    ],
  };

  it('creates a segment and counts its exact and consented size', async () => {
    const res = await t.http().post('/v1/segments').set(pub.auth).send({ name: 'Sport CMR 25-34', audienceIds: [audienceA], rules: sportCmr25to34 }).expect(201);
    // age 25..34 → i 5..14, even i: 6,8,10,12,14 → 5 members; denied when i%4==3 (none even) → consented 5
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Sport CMR 25-34',
      audienceIds: [audienceA],
      rules: sportCmr25to34,
      size: 5,
      consentedSize: 5,
      computedAt: expect.any(String),
      createdAt: expect.any(String),
    });
  });

  it('counts across several audiences, with nested any groups, in/nin/neq/exists', async () => {
    const rules = {
      any: [
        { all: [{ trait: 'vip', op: 'eq', value: true }] },
        { all: [{ trait: 'country', op: 'in', value: ['FRA'] }, { trait: 'age', op: 'lt', value: 30 }, { any: [{ trait: 'interests', op: 'nin', value: ['sport'] }] }] },
      ],
    };
    const res = await t.http().post('/v1/segments').set(pub.auth).send({ name: 'mixed', audienceIds: [audienceA, audienceB], rules }).expect(201);
    // vip true: 3 (B). FRA & age<30: odd i with 20+i<30 → i 1,3,5,7,9 → 5; denied among them: i%4==3 → 3,7 → consented 3
    expect(res.body.size).toBe(8);
    expect(res.body.consentedSize).toBe(6);

    const neq = await t.http().post('/v1/segments').set(pub.auth)
      .send({ name: 'not CMR', audienceIds: [audienceA, audienceB], rules: { all: [{ trait: 'country', op: 'neq', value: 'CMR' }, { trait: 'vip', op: 'exists', value: false }] } })
      .expect(201);
    expect(neq.body.size).toBe(20);
  });

  it('refresh recounts after the data changed', async () => {
    const created = await t.http().post('/v1/segments').set(pub.auth).send({ name: 'vip', audienceIds: [audienceB], rules: { all: [{ trait: 'vip', op: 'eq', value: true }] } }).expect(201);
    expect(created.body.size).toBe(3);
    await seedAudienceWithSubjects(t, pub, { subjects: [] });
    await t.connection.collection('subjects').updateMany({ 'traits.vip': false }, { $set: { 'traits.vip': true } });
    const refreshed = await t.http().post(`/v1/segments/${created.body.id}/refresh`).set(pub.auth).expect(200);
    expect(refreshed.body.size).toBe(10);
    expect(new Date(refreshed.body.computedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.body.computedAt).getTime());
    const got = await t.http().get(`/v1/segments/${created.body.id}`).set(pub.auth).expect(200);
    expect(got.body.size).toBe(10);
  });

  it('lists the owner\'s segments page by page, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.http().get('/v1/segments').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(pub.auth).expect(200);
      seen.push(...res.body.items.map((s: any) => s.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(4);
    expect(new Set(seen).size).toBe(4);
    const otherList = await t.http().get('/v1/segments').set(other.auth).expect(200);
    expect(otherList.body.items).toEqual([]);
  });

  it('another publisher\'s segment or audience is not found', async () => {
    const mine = await t.http().get('/v1/segments').set(pub.auth).expect(200);
    const id = mine.body.items[0].id;
    await t.http().get(`/v1/segments/${id}`).set(other.auth).expect(404);
    await t.http().post(`/v1/segments/${id}/refresh`).set(other.auth).expect(404);
    const res = await t.http().post('/v1/segments').set(other.auth).send({ name: 'steal', audienceIds: [audienceA], rules: sportCmr25to34 }).expect(404);
    expect(res.body.code).toBe('AUDIENCE_NOT_FOUND');
  });

  it('only publishers may use segments', async () => {
    const adv = await anAdvertiser(t);
    await t.http().get('/v1/segments').set(adv.auth).expect(403);
    await t.http().post('/v1/segments').set(adv.auth).send({ name: 'x', audienceIds: [audienceA], rules: sportCmr25to34 }).expect(403);
    await t.http().get('/v1/segments').expect(401);
  });

  describe('rule validation', () => {
    const post = (rules: unknown) => t.http().post('/v1/segments').set(pub.auth).send({ name: 'bad', audienceIds: [audienceA], rules });

    it.each([
      ['$where as a value', { all: [{ trait: 'age', op: 'eq', value: { $where: 'sleep(1000)' } }] }],
      ['$where as the op', { all: [{ trait: 'age', op: '$where', value: 'true' }] }],
      ['an operator object as a value', { all: [{ trait: 'age', op: 'eq', value: { $gt: 1 } }] }],
      ['an operator object inside in', { all: [{ trait: 'age', op: 'in', value: [{ $gt: 1 }] }] }],
      ['$where as a group key', { $where: 'true' }],
      ['an extra key on a rule', { all: [{ trait: 'age', op: 'eq', value: 1, $where: 'x' }] }],
      ['an unknown op', { all: [{ trait: 'age', op: 'regex', value: '.*' }] }],
      ['a dotted trait name', { all: [{ trait: 'consent.status', op: 'eq', value: 'granted' }] }],
      ['an operator trait name', { all: [{ trait: '$where', op: 'eq', value: 1 }] }],
      ['nesting depth 4', { all: [{ any: [{ all: [{ any: [{ trait: 'age', op: 'eq', value: 1 }] }] }] }] }],
      ['both all and any', { all: [{ trait: 'age', op: 'eq', value: 1 }], any: [] }],
      ['an empty group', { all: [] }],
      ['in without an array', { all: [{ trait: 'age', op: 'in', value: 1 }] }],
      ['a boolean range bound', { all: [{ trait: 'age', op: 'gt', value: true }] }],
      ['too long a string', { all: [{ trait: 'country', op: 'eq', value: 'x'.repeat(201) }] }],
      ['too many rules', { any: Array.from({ length: 3 }, () => ({ all: Array.from({ length: 20 }, () => ({ trait: 'age', op: 'gt', value: 1 })) })) }],
      ['a rule instead of a group', { trait: 'age', op: 'eq', value: 1 }],
      ['an array', [{ trait: 'age', op: 'eq', value: 1 }]],
      ['a string', 'age > 1'],
    ])('rejects %s with 400 INVALID_RULE', async (_name, rules) => {
      const res = await post(rules).expect(400);
      expect(res.body.code).toBe('INVALID_RULE');
      expect(res.body.details.length).toBeGreaterThan(0);
    });

    it('accepts nesting depth 3', async () => {
      await post({ all: [{ any: [{ all: [{ trait: 'age', op: 'gte', value: 1 }] }] }] }).expect(201);
    });

    it('a trait no member has is 400 UNKNOWN_TRAIT', async () => {
      const res = await post({ all: [{ trait: 'shoe_size', op: 'eq', value: 42 }] }).expect(400);
      expect(res.body.code).toBe('UNKNOWN_TRAIT');
      // vip exists in audience B only
      const vip = await post({ all: [{ trait: 'vip', op: 'eq', value: true }] }).expect(400);
      expect(vip.body.code).toBe('UNKNOWN_TRAIT');
    });

    it('a special-category trait is 400 SENSITIVE_TRAIT', async () => {
      const res = await post({ all: [{ trait: 'health_condition', op: 'exists' }] }).expect(400);
      expect(res.body.code).toBe('SENSITIVE_TRAIT');
    });

    it('a missing rules object or bad audience ids is 400 VALIDATION_FAILED', async () => {
      const res = await t.http().post('/v1/segments').set(pub.auth).send({ name: 'x', audienceIds: ['nope'] }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });

    it('no injected operator reaches the database: the subjects are untouched and counts stay exact', async () => {
      const count = await t.connection.collection('subjects').countDocuments({});
      expect(count).toBe(50);
    });
  });
});

describe('OpenAPI for segments, listings, moderation and marketplace', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(() => t.close());

  it('documents every route with its security and response types', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const expected: [string, string][] = [
      ['post', '/v1/segments'], ['get', '/v1/segments'], ['get', '/v1/segments/{id}'], ['post', '/v1/segments/{id}/refresh'],
      ['post', '/v1/listings'], ['get', '/v1/listings'], ['get', '/v1/listings/{id}'], ['patch', '/v1/listings/{id}'],
      ['post', '/v1/listings/{id}/submit'], ['post', '/v1/listings/{id}/archive'],
      ['get', '/v1/admin/listings'], ['get', '/v1/admin/listings/{id}'], ['post', '/v1/admin/listings/{id}/approve'],
      ['post', '/v1/admin/listings/{id}/reject'], ['post', '/v1/admin/listings/{id}/suspend'], ['post', '/v1/admin/listings/{id}/reinstate'],
      ['get', '/v1/marketplace/listings'], ['get', '/v1/marketplace/listings/{id}'],
    ];
    for (const [method, path] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op).toBeDefined();
      expect(op.security).toEqual([{ bearer: [] }]);
      const ok = op.responses['200'] ?? op.responses['201'];
      expect(ok.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//);
    }
    const query = doc.paths['/v1/marketplace/listings'].get.parameters.map((p: any) => p.name).sort();
    expect(query).toEqual(['country', 'currency', 'cursor', 'dataType', 'limit', 'maxPrice', 'minSize', 'q', 'sort', 'taxonomyId'].sort());
  });
});
