import { jest } from '@jest/globals';
import { Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../helpers/app';
import { type Actor, anAdmin, anAdvertiser, aPublisher } from '../helpers/builders';
import { aListing, anApprovedListing, aSegment, aSubmittedListing } from '../helpers/market';
import { seedAudienceWithSubjects, subjects } from '../helpers/seed';
import { noisySizeEstimate, sizeSeed } from '../../src/listings/size-estimate';

// Each submit recounts a segment and computes its label; a busy machine needs more than Jest's 5 s default.
jest.setTimeout(120_000);

const NOISE = { SIZE_NOISE_SECRET: 'marketplace-e2e-noise-secret-0123456789', SIZE_NOISE_SCALE: '20' };

// Both search paths: the per-instance snapshot (default) and direct database queries (snapshot disabled).
describe.each([
  ['snapshot', '100000'],
  ['database', '0'],
])('marketplace (%s)', (_mode, snapshotMax) => {
  let t: TestApp;
  let pubA: Actor;
  let pubB: Actor;
  let adv: Actor;
  let admin: Actor;
  /** Every approved listing, as the admin's approve call returned it. */
  const approved: any[] = [];

  beforeAll(async () => {
    t = await createTestApp({ env: { ...NOISE, MARKETPLACE_SNAPSHOT_MAX: snapshotMax } });
    [pubA, pubB, adv, admin] = await Promise.all([
      aPublisher(t, { organizationName: 'Douala Sport Media' }),
      aPublisher(t, { organizationName: 'Lagos Retail Data' }),
      anAdvertiser(t),
      anAdmin(t),
    ]);
    const cmr = await aSegment(t, pubA, { consented: 300, country: 'CMR', audience: { source: 'web', dataType: 'first_party' } });
    const nga = await aSegment(t, pubB, { consented: 150, country: 'NGA', audience: { source: 'store', dataType: 'third_party' } });
    const mixed = await aSegment(t, pubB, { consented: 600, country: (i) => (i % 2 ? 'FRA' : 'CMR'), audience: { source: 'crm', dataType: 'second_party' } });
    const specs: [Actor, string, Record<string, unknown>][] = [
      [pubA, cmr.id, { title: 'Football fans Cameroon', taxonomyIds: [663], pricing: { model: 'cpm', amount: 300, currency: 'eur' } }],
      [pubA, cmr.id, { title: 'Basketball (NBA) followers', taxonomyIds: [614], pricing: { model: 'cpm', amount: 120, currency: 'eur' } }],
      [pubA, cmr.id, { title: 'Young adults 25-29', taxonomyIds: [5], pricing: { model: 'flat', amount: 50_000, currency: 'eur' } }],
      [pubB, nga.id, { title: 'Lagos shoppers', description: 'Store visitors, 50% off seekers', taxonomyIds: [606], pricing: { model: 'cpm', amount: 80, currency: 'usd' } }],
      [pubB, nga.id, { title: 'Tennis players', taxonomyIds: [669], pricing: { model: 'cpm', amount: 450, currency: 'eur' } }],
      [pubB, mixed.id, { title: 'Travel lovers FR/CM', taxonomyIds: [727, 721], pricing: { model: 'cpm', amount: 200, currency: 'eur' } }],
      [pubB, mixed.id, { title: 'Golf and sailing', taxonomyIds: [644, 660], pricing: { model: 'cpm', amount: 200, currency: 'eur' } }],
    ];
    for (const [who, seg, body] of specs) approved.push(await anApprovedListing(t, who, admin, seg, body));
    // Not approved: never visible.
    await aListing(t, pubA, cmr.id, { title: 'Draft football' });
    await aSubmittedListing(t, pubA, cmr.id, { title: 'Pending football' });
  });
  afterAll(() => t.close());

  const search = (query: Record<string, unknown> = {}, who: Actor = adv) =>
    t.http().get('/v1/marketplace/listings').query({ limit: 100, ...query }).set(who.auth).expect(200).then((r) => r.body);
  const ids = (page: any) => page.items.map((l: any) => l.id).sort();
  const idsOf = (pred: (l: any) => boolean) => approved.filter(pred).map((l) => l.id).sort();

  it('lists approved listings only, with public fields only', async () => {
    const page = await search();
    expect(ids(page)).toEqual(idsOf(() => true));
    expect(page.nextCursor).toBeNull();
    const item = page.items.find((l: any) => l.title === 'Football fans Cameroon');
    expect(Object.keys(item).sort()).toEqual(
      ['countries', 'dataLabel', 'dataTypes', 'description', 'id', 'licenseDays', 'listedAt', 'pricing', 'publisher', 'sizeEstimate', 'taxonomyIds', 'title'].sort(),
    );
    expect(item.publisher).toEqual({ id: pubA.organizationId, name: 'Douala Sport Media' });
    const text = JSON.stringify(page);
    for (const secret of ['consentedSize', 'segmentId', 'moderation', 'rules', 'searchText', 'sortPrice', '"rev"', 'orgId', '"size"']) {
      expect(text).not.toContain(secret);
    }
    // Admins browse too; publishers do not.
    expect(ids(await search({}, admin))).toEqual(idsOf(() => true));
    await t.http().get('/v1/marketplace/listings').set(pubA.auth).expect(403);
    await t.http().get(`/v1/marketplace/listings/${item.id}`).set(pubA.auth).expect(403);
  });

  it('shows the estimate computed at approval: rounded, noised once, the same on every read', async () => {
    const one = approved[0];
    const reads = await Promise.all(Array.from({ length: 5 }, () => t.http().get(`/v1/marketplace/listings/${one.id}`).set(adv.auth).expect(200)));
    expect(new Set(reads.map((r) => r.body.sizeEstimate)).size).toBe(1);
    const shown = reads[0].body.sizeEstimate;
    expect(shown).toBe(one.sizeEstimate);
    const expected = noisySizeEstimate(300, sizeSeed(one.segmentId, 300), { scale: 20, secret: NOISE.SIZE_NOISE_SECRET });
    expect(shown).toBe(expected);
    expect(String(shown)).toMatch(/^[1-9]\d?0*$/);
    expect(reads[0].body.dataLabel.audienceSize).toBe(shown);
  });

  it('a size estimate under k shows as "<100" and never matches minSize', async () => {
    const pub = await aPublisher(t);
    const { audienceId } = await seedAudienceWithSubjects(t, pub, { subjects: subjects(100, () => ({ traits: { interests: ['golf'], country: 'CMR' } })) });
    const params = { scale: 20, secret: NOISE.SIZE_NOISE_SECRET };
    let under: any;
    let over: any;
    for (let i = 0; i < 30 && !(under && over); i++) {
      const seg = await t.http().post('/v1/segments').set(pub.auth)
        .send({ name: `golf ${i}`, audienceIds: [audienceId], rules: { all: [{ trait: 'interests', op: 'eq', value: 'golf' }] } })
        .expect(201);
      const estimate = noisySizeEstimate(100, sizeSeed(seg.body.id, 100), params);
      if (estimate < 100 && !under) under = { segmentId: seg.body.id };
      if (estimate >= 100 && !over) over = { segmentId: seg.body.id, estimate };
    }
    expect(under && over).toBeTruthy();
    const small = await anApprovedListing(t, pub, admin, under.segmentId, { title: 'Golfers under threshold' });
    const big = await anApprovedListing(t, pub, admin, over.segmentId, { title: 'Golfers over threshold' });
    const got = await t.http().get(`/v1/marketplace/listings/${small.id}`).set(adv.auth).expect(200);
    expect(got.body.sizeEstimate).toBe('<100');
    expect(got.body.dataLabel.audienceSize).toBe('<100');
    expect((await t.http().get(`/v1/marketplace/listings/${big.id}`).set(adv.auth).expect(200)).body.sizeEstimate).toBe(over.estimate);
    const min1 = await search({ q: 'golfers', minSize: 1 });
    expect(ids(min1)).toEqual([big.id]);
    // Cleanup for the other tests' expectations.
    await t.http().post(`/v1/listings/${small.id}/archive`).set(pub.auth).expect(200);
    await t.http().post(`/v1/listings/${big.id}/archive`).set(pub.auth).expect(200);
  });

  it('filters by text (escaped, case-insensitive substring), taxonomy subtree, country, data type, size, price', async () => {
    expect(ids(await search({ q: 'FOOTBALL' }))).toEqual(idsOf((l) => /football/i.test(l.title + l.description)));
    expect(ids(await search({ q: '(nba)' }))).toEqual(idsOf((l) => l.title.includes('(NBA)')));
    expect(ids(await search({ q: '50% off' }))).toEqual(idsOf((l) => l.description.includes('50% off')));
    expect(ids(await search({ q: '.*' }))).toEqual([]);
    expect(ids(await search({ q: 'basket[' }))).toEqual([]);
    const tooLong = await t.http().get('/v1/marketplace/listings').query({ q: 'x'.repeat(101) }).set(adv.auth).expect(400);
    expect(tooLong.body.code).toBe('VALIDATION_FAILED');

    // 607 = Interest | Sports: finds Soccer, Basketball, Tennis, Golf, Sailing by ancestry.
    expect(ids(await search({ taxonomyId: 607 }))).toEqual(idsOf((l) => l.taxonomyIds.some((x: number) => [663, 614, 669, 644, 660].includes(x))));
    expect(ids(await search({ taxonomyId: 663 }))).toEqual(idsOf((l) => l.taxonomyIds.includes(663)));
    expect(ids(await search({ taxonomyId: 1 }))).toEqual(idsOf((l) => l.taxonomyIds.includes(5)));

    expect(ids(await search({ country: 'nga' }))).toEqual(idsOf((l) => l.dataLabel.geography.includes('NGA')));
    expect(ids(await search({ country: 'FRA' }))).toEqual(idsOf((l) => l.dataLabel.geography.includes('FRA')));
    expect(ids(await search({ dataType: 'third_party' }))).toEqual(idsOf((l) => l.dataLabel.audienceTypes.includes('third_party')));
    expect(ids(await search({ dataType: 'second_party', country: 'CMR' }))).toEqual(
      idsOf((l) => l.dataLabel.audienceTypes.includes('second_party') && l.dataLabel.geography.includes('CMR')),
    );

    const sizes = approved.map((l) => l.sizeEstimate as number).sort((a, b) => a - b);
    const mid = sizes[Math.floor(sizes.length / 2)];
    expect(ids(await search({ minSize: mid }))).toEqual(idsOf((l) => l.sizeEstimate >= mid));

    const cpmOf = (l: any) => (l.pricing.model === 'cpm' ? l.pricing.amount : Math.ceil((l.pricing.amount * 1000) / l.sizeEstimate));
    expect(ids(await search({ maxPrice: 200 }))).toEqual(idsOf((l) => cpmOf(l) <= 200));
    expect(ids(await search({ maxPrice: 200, currency: 'eur' }))).toEqual(idsOf((l) => cpmOf(l) <= 200 && l.pricing.currency === 'eur'));

    await t.http().get('/v1/marketplace/listings').query({ sort: 'cheapest' }).set(adv.auth).expect(400);
    await t.http().get('/v1/marketplace/listings').query({ dataType: 'zeroth_party' }).set(adv.auth).expect(400);
    await t.http().get('/v1/marketplace/listings').query({ minSize: -1 }).set(adv.auth).expect(400);
  });

  it.each([
    ['price', (l: any) => cpm(l), 1],
    ['-price', (l: any) => cpm(l), -1],
    ['size', (l: any) => l.sizeEstimate, 1],
    ['-size', (l: any) => l.sizeEstimate, -1],
    ['newest', (l: any) => new Date(l.approvedAt).getTime(), -1],
  ] as const)('sort=%s walks every page once, in order', async (sort, key, dir) => {
    const walked: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await search({ sort, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(approved.length / 2));
    expect(walked.map((l) => l.id).sort()).toEqual(idsOf(() => true));
    const byId = new Map(approved.map((l) => [l.id, l]));
    const keys = walked.map((l) => key(byId.get(l.id)));
    for (let i = 1; i < keys.length; i++) expect(dir * (keys[i] - keys[i - 1])).toBeGreaterThanOrEqual(0);
  });

  it('paging stays stable when a listing is approved or suspended mid-walk', async () => {
    const pending = await aSubmittedListing(t, pubA, approved[0].segmentId, { title: 'Late arrival', pricing: { model: 'cpm', amount: 1, currency: 'eur' } });
    for (const sort of ['newest', 'price', '-size']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let step = 0;
      do {
        const page: any = await search({ sort, limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((l: any) => l.id));
        cursor = page.nextCursor;
        if (step++ === 0 && sort === 'newest') await t.http().post(`/v1/admin/listings/${pending.id}/approve`).set(admin.auth).expect(200);
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      const originals = seen.filter((id) => id !== pending.id).sort();
      expect(originals).toEqual(idsOf(() => true));
    }
    // A suspended listing disappears at once, from search and from the detail route.
    await t.http().post(`/v1/admin/listings/${pending.id}/suspend`).set(admin.auth).send({ reason: 'checking' }).expect(200);
    expect(ids(await search())).not.toContain(pending.id);
    await t.http().get(`/v1/marketplace/listings/${pending.id}`).set(adv.auth).expect(404);
  });

  it('the detail route answers 404 for drafts, pending, unknown ids, and 400 for malformed ids', async () => {
    const mine = (await t.http().get('/v1/listings').set(pubA.auth).query({ limit: 100 }).expect(200)).body.items;
    for (const l of mine.filter((x: any) => x.status === 'draft' || x.status === 'pending_review')) {
      await t.http().get(`/v1/marketplace/listings/${l.id}`).set(adv.auth).expect(404);
    }
    await t.http().get('/v1/marketplace/listings/0123456789abcdef01234567').set(adv.auth).expect(404);
    await t.http().get('/v1/marketplace/listings/nope').set(adv.auth).expect(400);
    await t.http().get('/v1/marketplace/listings').query({ cursor: 'garbage' }).set(adv.auth).expect(400);
  });
});

function cpm(l: any): number {
  return l.pricing.model === 'cpm' ? l.pricing.amount : Math.ceil((l.pricing.amount * 1000) / l.sizeEstimate);
}

// Each instance re-reads the marketplace token at most every MARKETPLACE_SNAPSHOT_CHECK_MS, and before its next
// search once it made a change itself. A listing and token written straight to the database stand for a
// moderation decision taken on another instance, exactly as ListingsRepository.transition writes them.
describe('marketplace snapshot freshness', () => {
  const moderateElsewhere = async (t: TestApp, listingId: string, status: 'approved' | 'suspended') => {
    await t.connection.collection('listings').updateOne({ _id: new Types.ObjectId(listingId) }, { $set: { status } });
    await t.connection.collection('marketplaceState').updateOne({ _id: 'listings' } as object, { $set: { token: randomUUID(), at: new Date() } }, { upsert: true });
  };

  async function setUp(checkMs: string) {
    const t = await createTestApp({ env: { MARKETPLACE_SNAPSHOT_CHECK_MS: checkMs } });
    const [pub, adv, admin] = await Promise.all([aPublisher(t), anAdvertiser(t), anAdmin(t)]);
    const segment = await aSegment(t, pub, { consented: 150 });
    const listings = [];
    for (const title of ['First', 'Second']) listings.push(await anApprovedListing(t, pub, admin, segment.id, { title }));
    const visible = async () =>
      (await t.http().get('/v1/marketplace/listings').query({ limit: 100 }).set(adv.auth).expect(200)).body.items.map((l: any) => l.id).sort();
    return { t, pub, adv, admin, segment, listings, visible };
  }

  describe('with a long check interval', () => {
    let s: Awaited<ReturnType<typeof setUp>>;
    beforeAll(async () => {
      s = await setUp('60000');
    });
    afterAll(() => s.t.close());

    it("this instance's suspend, reinstate and archive apply to its very next search", async () => {
      const { t, pub, adv, admin, listings: [a, b], visible } = s;
      expect(await visible()).toEqual([a.id, b.id].sort());
      await t.http().post(`/v1/admin/listings/${a.id}/suspend`).set(admin.auth).send({ reason: 'checking' }).expect(200);
      expect(await visible()).toEqual([b.id]);
      await t.http().post(`/v1/admin/listings/${a.id}/reinstate`).set(admin.auth).expect(200);
      expect(await visible()).toEqual([a.id, b.id].sort());
      await t.http().post(`/v1/listings/${b.id}/archive`).set(pub.auth).expect(200);
      expect(await visible()).toEqual([a.id]);
      await t.http().get(`/v1/marketplace/listings/${b.id}`).set(adv.auth).expect(404);
    });

    it("another instance's decision is seen within the interval, or sooner when this instance makes a change", async () => {
      const { t, pub, admin, segment, listings: [a], visible } = s;
      expect(await visible()).toContain(a.id);
      await moderateElsewhere(t, a.id, 'suspended');
      // The documented bound: this instance may answer from its snapshot for up to the check interval.
      expect(await visible()).toContain(a.id);
      const c = await anApprovedListing(t, pub, admin, segment.id, { title: 'Third' });
      const after = await visible();
      expect(after).toContain(c.id);
      expect(after).not.toContain(a.id);
    });
  });

  describe('with a short check interval', () => {
    let s: Awaited<ReturnType<typeof setUp>>;
    beforeAll(async () => {
      s = await setUp('300');
    });
    afterAll(() => s.t.close());

    it("another instance's suspension and reinstatement show once the interval has passed", async () => {
      const { t, listings: [a, b], visible } = s;
      expect(await visible()).toEqual([a.id, b.id].sort());
      await moderateElsewhere(t, a.id, 'suspended');
      await new Promise((r) => setTimeout(r, 400));
      expect(await visible()).toEqual([b.id]);
      await moderateElsewhere(t, a.id, 'approved');
      await new Promise((r) => setTimeout(r, 400));
      expect(await visible()).toEqual([a.id, b.id].sort());
    });
  });

  describe('with interval 0 (token read before every search)', () => {
    let s: Awaited<ReturnType<typeof setUp>>;
    beforeAll(async () => {
      s = await setUp('0');
    });
    afterAll(() => s.t.close());

    it("another instance's decision shows in the next search", async () => {
      const { t, listings: [a, b], visible } = s;
      expect(await visible()).toEqual([a.id, b.id].sort());
      await moderateElsewhere(t, a.id, 'suspended');
      expect(await visible()).toEqual([b.id]);
      await moderateElsewhere(t, a.id, 'approved');
      expect(await visible()).toEqual([a.id, b.id].sort());
    });
  });
});
