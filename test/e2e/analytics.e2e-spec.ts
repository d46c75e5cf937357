import { jest } from '@jest/globals';
import { Types } from 'mongoose';
import { EXCLUSION_REASONS, type ExclusionReason } from '../../src/deliveries/delivery.schema';
import type { ListingStatus, ModerationEvent } from '../../src/listings/listing.schema';
import { createTestApp, type TestApp } from '../helpers/app';
import { type Actor, anAdmin, anAdvertiser, aPublisher } from '../helpers/builders';
import { aPayableSeller } from '../helpers/payments';
import { seedApprovedListing, type SeededListing } from '../helpers/seed-listing';
import { aCharge, aCheckoutSession, anEvent, type OrderRef, sendEvent } from '../helpers/stripe-events';
import { startStripeRecorder, type StripeRecorder } from '../helpers/stripe-recorder';

jest.setTimeout(120_000);

/*
 * One known data set, exact expected figures. Orders, payments and refunds go through the real HTTP flow (POST
 * /v1/orders, signed Stripe webhooks, the admin refund route); the Stripe events carry `created` times in the past,
 * which is what the ledger and paidAt record, so the range [R_FROM, R_TO) is under the test's control.
 * Fee: PLATFORM_FEE_BPS 2000 (20 %).
 */
const R_FROM = '2025-01-01T00:00:00.000Z';
const R_TO = '2025-03-01T00:00:00.000Z';
const R = { from: R_FROM, to: R_TO };
const DAY = 24 * 3600 * 1000;
const FLAT_10K = { model: 'flat' as const, amount: 10_000, currency: 'eur' };
const CPM_250 = { model: 'cpm' as const, amount: 250, currency: 'eur' };
const FLAT_5K = { model: 'flat' as const, amount: 5_000, currency: 'eur' };
const FLAT_3K_USD = { model: 'flat' as const, amount: 3_000, currency: 'usd' };
const at = (iso: string) => new Date(iso);
const zeroReasons = () => Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
const reasons = (r: Partial<Record<ExclusionReason, number>>) => ({ ...zeroReasons(), ...r });
const byId = <T extends { listingId: string }>(rows: T[]) => [...rows].sort((a, b) => a.listingId.localeCompare(b.listingId));

describe('Analytics (publisher, advertiser, admin)', () => {
  let t: TestApp;
  let stripe: StripeRecorder;
  let admin: Actor;
  let pubA: Actor;
  let pubB: Actor;
  let pubC: Actor;
  let advX: Actor;
  let advY: Actor;
  let advZ: Actor;
  let A1: SeededListing;
  let A2: SeededListing;
  let B1: SeededListing;
  let B2: SeededListing;
  const orders: Record<string, OrderRef> = {};

  const placeOrder = async (buyer: Actor, listing: SeededListing, quantity?: number): Promise<OrderRef> => {
    const res = await t.http().post('/v1/orders').set(buyer.auth).send({ listingId: listing.id, quantity }).expect(201);
    return { id: res.body.id, amount: res.body.amount, currency: res.body.currency };
  };
  const pay = (order: OrderRef, when: Date) =>
    sendEvent(t, anEvent('checkout.session.completed', aCheckoutSession(order), { created: when.getTime() / 1000 })).expect(200);
  const refund = async (order: OrderRef, when: Date) => {
    await t.http().post(`/v1/admin/orders/${order.id}/refund`).set(admin.auth).expect(202);
    await sendEvent(t, anEvent('charge.refunded', aCharge(order), { created: when.getTime() / 1000 })).expect(200);
  };
  const paidOrder = async (name: string, buyer: Actor, listing: SeededListing, paidAt: Date, quantity?: number) => {
    orders[name] = await placeOrder(buyer, listing, quantity);
    await pay(orders[name], paidAt);
  };

  // Deliveries, notices and overlap queries are fixtures here, in the exact shapes of src/deliveries/*.schema.ts and
  // src/matching/overlap-query.schema.ts: their figures and timestamps must be exact and back-dated for the range
  // tests, which the live flows cannot do. Those flows are tested through HTTP in deliveries, matching and the demo.
  const aDelivery = async (o: { order: string; buyer: Actor; seller: Actor; listing: SeededListing; status?: 'ready' | 'failed' | 'building'; records: number; excluded?: Partial<Record<ExclusionReason, number>>; createdAt: string }) => {
    const createdAt = at(o.createdAt);
    await t.connection.collection('deliveries').insertOne({
      _id: new Types.ObjectId(),
      orderId: new Types.ObjectId(orders[o.order].id),
      buyerOrgId: new Types.ObjectId(o.buyer.organizationId),
      sellerOrgId: new Types.ObjectId(o.seller.organizationId),
      listingId: new Types.ObjectId(o.listing.id),
      status: o.status ?? 'ready',
      format: 'ndjson',
      destinationType: 'download',
      recordCount: o.records,
      excludedNoConsent: 0,
      manifest: {
        recordCount: o.records,
        excluded: reasons(o.excluded ?? {}),
        purposesRequired: [1, 3, 4],
        vendorId: 1,
        consentSnapshotAt: createdAt,
        digest: 'a'.repeat(64),
        merkleRoot: 'b'.repeat(64),
      },
      rev: 1,
      createdAt,
      updatedAt: createdAt,
    });
  };
  const anOverlapQuery = (listing: SeededListing, seller: Actor, buyer: Actor, submitted: number, when: string) =>
    t.connection.collection('overlapQueries').insertOne({
      listingId: new Types.ObjectId(listing.id),
      sellerOrgId: new Types.ObjectId(seller.organizationId),
      buyerOrgId: new Types.ObjectId(buyer.organizationId),
      submitted,
      epsilon: 0.5,
      at: at(when),
    });
  let noticeN = 0;
  const aNotice = (buyer: Actor, seller: Actor, status: 'pending' | 'acknowledged') =>
    t.connection.collection('notices').insertOne({
      buyerOrgId: new Types.ObjectId(buyer.organizationId),
      sellerOrgId: new Types.ObjectId(seller.organizationId),
      kind: 'erasure',
      subjectKey: 'c'.repeat(64),
      deliveryIds: [],
      eventId: `erasure-${noticeN++}`,
      status,
      createdAt: new Date(),
      signature: 'd'.repeat(64),
      rev: 0,
    });

  /** A listing with a controlled moderation history (timestamps in the past), seeded like seedApprovedListing. */
  const aModeratedListing = async (status: ListingStatus, created: string, events: [ModerationEvent['action'], string][]) => {
    const l = await seedApprovedListing(t, pubC, { pricing: FLAT_5K, licenseDays: 30, status });
    const moderation = events.map(([action, when]) => ({ action, from: 'draft', to: 'draft', actorId: admin.id, at: at(when) }));
    const submits = moderation.filter((e) => e.action === 'submit');
    const approvals = moderation.filter((e) => e.action === 'approve');
    const last = moderation.length ? moderation[moderation.length - 1].at : at(created);
    await t.connection.collection('listings').updateOne(
      { _id: new Types.ObjectId(l.id) },
      {
        $set: {
          moderation,
          createdAt: at(created),
          updatedAt: last,
          submittedAt: submits.length ? submits[submits.length - 1].at : null,
          approvedAt: approvals.length ? approvals[approvals.length - 1].at : null,
        },
      },
    );
  };

  beforeAll(async () => {
    stripe = await startStripeRecorder();
    t = await createTestApp({ env: { ...stripe.env, PLATFORM_FEE_BPS: '2000' } });
    admin = await anAdmin(t);
    [pubA, pubB, pubC, advX, advY, advZ] = await Promise.all([aPublisher(t), aPublisher(t), aPublisher(t), anAdvertiser(t), anAdvertiser(t), anAdvertiser(t)]);
    await aPayableSeller(t, pubA);
    await aPayableSeller(t, pubB);
    A1 = await seedApprovedListing(t, pubA, { pricing: FLAT_10K, licenseDays: 30, title: 'A1 flat' });
    A2 = await seedApprovedListing(t, pubA, { pricing: CPM_250, licenseDays: 30, title: 'A2 cpm' });
    B1 = await seedApprovedListing(t, pubB, { pricing: FLAT_5K, licenseDays: 30, title: 'B1 flat' });
    B2 = await seedApprovedListing(t, pubB, { pricing: FLAT_3K_USD, licenseDays: 30, title: 'B2 usd' });

    // Publisher A (eur). Amount / fee / seller net.
    await paidOrder('o1', advX, A1, at('2025-01-10T10:00:00Z')); // 10000 / 2000 / 8000
    await paidOrder('o2', advY, A1, at('2025-02-03T12:00:00Z')); // 10000 / 2000 / 8000
    await paidOrder('o3', advX, A2, at('2025-02-20T08:00:00Z'), 20_000); // 5000 / 1000 / 4000
    await paidOrder('o4', advX, A1, at('2025-02-25T09:00:00Z')); // charged and refunded inside R
    await refund(orders.o4, at('2025-02-26T09:00:00Z'));
    await paidOrder('o5', advY, A2, at('2024-12-20T09:00:00Z'), 1_000); // 250, before R: not counted
    await paidOrder('o6', advX, A1, at('2024-12-15T09:00:00Z')); // charged before R, refunded inside R
    await refund(orders.o6, at('2025-01-20T09:00:00Z'));
    // Publisher B (eur and usd).
    await paidOrder('o7', advY, B1, at('2025-01-15T09:00:00Z')); // 5000 / 1000 / 4000 eur
    await paidOrder('o8', advX, B2, at('2025-02-10T09:00:00Z')); // 3000 / 600 / 2400 usd
    await paidOrder('o9', advX, B1, at(R_TO)); // exactly at `to`: the next range
    orders.o10 = await placeOrder(advX, B1); // never paid
    await paidOrder('o11', advY, A1, new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000)); // an hour ago

    await aDelivery({ order: 'o1', buyer: advX, seller: pubA, listing: A1, records: 900, createdAt: '2025-01-11T00:00:00Z',
      excluded: { no_consent: 50, denied: 30, revoked: 10, missing_purpose: 5, no_vendor_consent: 3, erased: 2, over_quantity: 100 } });
    await aDelivery({ order: 'o3', buyer: advX, seller: pubA, listing: A2, records: 1900, excluded: { no_consent: 100 }, createdAt: '2025-02-21T00:00:00Z' });
    await aDelivery({ order: 'o2', buyer: advY, seller: pubA, listing: A1, records: 1000, createdAt: '2025-02-04T00:00:00Z' });
    await aDelivery({ order: 'o2', buyer: advY, seller: pubA, listing: A1, records: 500, status: 'failed', excluded: { no_consent: 999 }, createdAt: '2025-02-05T00:00:00Z' });
    await aDelivery({ order: 'o1', buyer: advX, seller: pubA, listing: A1, records: 777, excluded: { denied: 7 }, createdAt: R_TO });
    await aDelivery({ order: 'o7', buyer: advY, seller: pubB, listing: B1, records: 400, excluded: { revoked: 100 }, createdAt: '2025-01-16T00:00:00Z' });

    await anOverlapQuery(A1, pubA, advX, 1000, '2025-01-05T00:00:00Z');
    await anOverlapQuery(A1, pubA, advX, 2000, '2025-02-01T00:00:00Z');
    await anOverlapQuery(A1, pubA, advY, 500, '2025-02-28T23:59:59.999Z');
    await anOverlapQuery(A2, pubA, advX, 300, R_FROM);
    await anOverlapQuery(A1, pubA, advY, 9999, '2024-12-31T23:59:59.999Z');
    await anOverlapQuery(B1, pubB, advY, 100, '2025-01-20T00:00:00Z');
    await anOverlapQuery(B1, pubB, advX, 200, '2025-02-20T00:00:00Z');

    await aNotice(advX, pubA, 'pending');
    await aNotice(advX, pubA, 'pending');
    await aNotice(advX, pubA, 'acknowledged');
    await aNotice(advY, pubB, 'pending');

    // Publisher C: moderation only. Decisions in R take 3600, 7200, 600, 10800 and 1800 s: median 3600.
    await aModeratedListing('draft', '2025-06-01T00:00:00Z', []);
    await aModeratedListing('pending_review', '2025-02-24T00:00:00Z', [['submit', '2025-02-25T00:00:00Z']]);
    await aModeratedListing('approved', '2024-12-30T00:00:00Z', [['submit', '2024-12-31T23:30:00Z'], ['approve', '2025-01-01T00:30:00Z']]);
    await aModeratedListing('rejected', '2025-01-09T00:00:00Z', [['submit', '2025-01-10T00:00:00Z'], ['reject', '2025-01-10T02:00:00Z']]);
    await aModeratedListing('approved', '2025-01-31T00:00:00Z', [
      ['submit', '2025-02-01T00:00:00Z'],
      ['reject', '2025-02-01T00:10:00Z'],
      ['edit', '2025-02-01T12:00:00Z'],
      ['submit', '2025-02-02T00:00:00Z'],
      ['approve', '2025-02-02T03:00:00Z'],
    ]);
    await aModeratedListing('suspended', '2025-02-09T00:00:00Z', [
      ['submit', '2025-02-10T00:00:00Z'],
      ['approve', '2025-02-10T00:30:00Z'],
      ['suspend', '2025-02-20T00:00:00Z'],
    ]);
    await aModeratedListing('archived', '2025-01-14T00:00:00Z', [['submit', '2025-01-15T00:00:00Z'], ['archive', '2025-01-16T00:00:00Z']]);
    // Decided exactly at `to` (after two months): outside R, and it would move the median if counted.
    await aModeratedListing('approved', '2024-12-30T00:00:00Z', [['submit', '2024-12-31T00:00:00Z'], ['approve', R_TO]]);
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const publisherStats = (who: Actor, q: Record<string, string> = R) => t.http().get('/v1/analytics/publisher').query(q).set(who.auth).expect(200);
  const advertiserStats = (who: Actor, q: Record<string, string> = R) => t.http().get('/v1/analytics/advertiser').query(q).set(who.auth).expect(200);
  const adminStats = (q: Record<string, string> = R) => t.http().get('/v1/admin/analytics').query(q).set(admin.auth).expect(200);

  it("publisher: revenue net of fee and of refunds in the range, orders, buyers, deliveries, exclusions, overlaps — its own only", async () => {
    const { body } = await publisherStats(pubA);
    expect(body).toEqual({
      from: R_FROM,
      to: R_TO,
      // o1 8000 + o2 8000 + o3 4000 + o4 (8000 − 8000) − o6 refund 8000; o5 (before) and o11 (now) are outside.
      revenue: { eur: 12_000 },
      gross: { eur: 15_000 },
      platformFees: { eur: 3_000 },
      revenueByListing: [
        { listingId: A1.id, title: 'A1 flat', currency: 'eur', revenue: 8_000, orders: 3 },
        { listingId: A2.id, title: 'A2 cpm', currency: 'eur', revenue: 4_000, orders: 1 },
      ],
      revenueByMonth: [
        { month: '2025-01', currency: 'eur', revenue: 0 },
        { month: '2025-02', currency: 'eur', revenue: 12_000 },
      ],
      orders: 4,
      distinctBuyers: 2,
      deliveries: 3,
      recordsDelivered: 3_800,
      consentExclusions: 200,
      consentExclusionRate: 0.05,
      exclusionsByReason: { no_consent: 150, denied: 30, revoked: 10, missing_purpose: 5, no_vendor_consent: 3, erased: 2, over_quantity: 100 },
      overlapRequestsReceived: 4,
      overlapIdentifiersSubmitted: 3_800,
      perListing: byId([
        { listingId: A1.id, title: 'A1 flat', status: 'approved', revenue: { eur: 8_000 }, orders: 3, deliveries: 2, recordsDelivered: 1_900,
          consentExclusions: 100, consentExclusionRate: 0.05, overlapRequests: 3, overlapIdentifiersSubmitted: 3_500 },
        { listingId: A2.id, title: 'A2 cpm', status: 'approved', revenue: { eur: 4_000 }, orders: 1, deliveries: 1, recordsDelivered: 1_900,
          consentExclusions: 100, consentExclusionRate: 0.05, overlapRequests: 1, overlapIdentifiersSubmitted: 300 },
      ]),
    });
  });

  it('publisher B sees its own figures by currency and nothing of publisher A', async () => {
    const { body } = await publisherStats(pubB);
    expect(body).toMatchObject({
      revenue: { eur: 4_000, usd: 2_400 },
      gross: { eur: 5_000, usd: 3_000 },
      platformFees: { eur: 1_000, usd: 600 },
      revenueByListing: [
        { listingId: B1.id, title: 'B1 flat', currency: 'eur', revenue: 4_000, orders: 1 },
        { listingId: B2.id, title: 'B2 usd', currency: 'usd', revenue: 2_400, orders: 1 },
      ],
      revenueByMonth: [
        { month: '2025-01', currency: 'eur', revenue: 4_000 },
        { month: '2025-02', currency: 'usd', revenue: 2_400 },
      ],
      orders: 2,
      distinctBuyers: 2,
      deliveries: 1,
      recordsDelivered: 400,
      consentExclusions: 100,
      consentExclusionRate: 0.2,
      exclusionsByReason: reasons({ revoked: 100 }),
      overlapRequestsReceived: 2,
      overlapIdentifiersSubmitted: 300,
    });
    expect(byId(body.perListing)).toEqual(
      byId([
        { listingId: B1.id, title: 'B1 flat', status: 'approved', revenue: { eur: 4_000 }, orders: 1, deliveries: 1, recordsDelivered: 400,
          consentExclusions: 100, consentExclusionRate: 0.2, overlapRequests: 2, overlapIdentifiersSubmitted: 300 },
        { listingId: B2.id, title: 'B2 usd', status: 'approved', revenue: { usd: 2_400 }, orders: 1, deliveries: 0, recordsDelivered: 0,
          consentExclusions: 0, consentExclusionRate: null, overlapRequests: 0, overlapIdentifiersSubmitted: 0 },
      ]),
    );
    const text = JSON.stringify(body);
    expect(text).not.toContain(A1.id);
    expect(text).not.toContain(A2.id);
    // A publisher with no sales sees zeros, not the platform's figures.
    const c = (await publisherStats(pubC)).body;
    expect(c).toMatchObject({ revenue: {}, orders: 0, distinctBuyers: 0, recordsDelivered: 0, consentExclusionRate: null, overlapRequestsReceived: 0, revenueByListing: [] });
  });

  it('advertiser: spend = paid − refunded in the range, orders, records received, exclusions, pending notices — its own only', async () => {
    expect((await advertiserStats(advX)).body).toEqual({
      from: R_FROM,
      to: R_TO,
      spend: { eur: 5_000, usd: 3_000 }, // o1 10000 + o3 5000 + o4 (10000 − 10000) − o6 10000; o8 3000 usd
      orders: 4,
      deliveries: 2,
      recordsReceived: 2_800,
      consentExclusions: 200,
      consentExclusionRate: 200 / 3_000,
      exclusionsByReason: { no_consent: 150, denied: 30, revoked: 10, missing_purpose: 5, no_vendor_consent: 3, erased: 2, over_quantity: 100 },
      noticesPending: 2,
    });
    expect((await advertiserStats(advY)).body).toEqual({
      from: R_FROM,
      to: R_TO,
      spend: { eur: 15_000 },
      orders: 2,
      deliveries: 2,
      recordsReceived: 1_400,
      consentExclusions: 100,
      consentExclusionRate: 100 / 1_500,
      exclusionsByReason: reasons({ revoked: 100 }),
      noticesPending: 1,
    });
    expect((await advertiserStats(advZ)).body).toEqual({
      from: R_FROM,
      to: R_TO,
      spend: {},
      orders: 0,
      deliveries: 0,
      recordsReceived: 0,
      consentExclusions: 0,
      consentExclusionRate: null,
      exclusionsByReason: zeroReasons(),
      noticesPending: 0,
    });
  });

  it('admin: GMV, fees, publisher revenue, listings by status, moderation median, active organizations', async () => {
    expect((await adminStats()).body).toEqual({
      from: R_FROM,
      to: R_TO,
      gmv: { eur: 20_000, usd: 3_000 },
      platformFees: { eur: 4_000, usd: 600 },
      publisherRevenue: { eur: 16_000, usd: 2_400 },
      charged: { eur: 40_000, usd: 3_000 },
      returned: { eur: 20_000 },
      orders: 6,
      listingsByStatus: { draft: 1, pending_review: 1, approved: 7, rejected: 1, suspended: 1, archived: 1 },
      moderation: { medianTimeToDecisionSeconds: 3_600, decisions: 5, approved: 3, rejected: 2 },
      // Sellers and buyers of orders paid in R (A, B / X, Y), plus owners of listings submitted in R (C).
      activeOrganizations: { publishers: 3, advertisers: 2 },
      registeredOrganizations: { publishers: 3, advertisers: 3 },
      // Every order was placed today, so none in R.
      ordersByStatus: { pending_payment: 0, paid: 0, payment_failed: 0, refunded: 0, disputed: 0, canceled: 0 },
    });
  });

  it('reconciles: publisherRevenue + platformFees = gmv, Σ publishers’ revenue + fees = gmv, Σ advertisers’ spend = gmv', async () => {
    const adm = (await adminStats()).body;
    const revenues = await Promise.all([pubA, pubB, pubC].map(async (p) => (await publisherStats(p)).body.revenue as Record<string, number>));
    const spends = await Promise.all([advX, advY, advZ].map(async (a) => (await advertiserStats(a)).body.spend as Record<string, number>));
    const sum = (maps: Record<string, number>[]) =>
      maps.reduce<Record<string, number>>((acc, m) => {
        for (const [c, v] of Object.entries(m)) acc[c] = (acc[c] ?? 0) + v;
        return acc;
      }, {});
    for (const currency of Object.keys(adm.gmv)) {
      expect(adm.publisherRevenue[currency] + adm.platformFees[currency]).toBe(adm.gmv[currency]);
      expect(sum(revenues)[currency] + adm.platformFees[currency]).toBe(adm.gmv[currency]);
      expect(sum(spends)[currency]).toBe(adm.gmv[currency]);
      expect(adm.charged[currency] - (adm.returned[currency] ?? 0)).toBe(adm.gmv[currency]);
    }
    expect(sum(revenues)).toEqual(adm.publisherRevenue);
  });

  it('default range: the last 30 days, to exclusive; only the order paid an hour ago is in it', async () => {
    const before = Date.now();
    const a = (await t.http().get('/v1/analytics/publisher').set(pubA.auth).expect(200)).body;
    expect(Date.parse(a.to)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(a.to) - Date.parse(a.from)).toBe(30 * DAY);
    expect(a).toMatchObject({ revenue: { eur: 8_000 }, orders: 1, distinctBuyers: 1, recordsDelivered: 0, overlapRequestsReceived: 0 });
    expect(a.revenueByListing).toEqual([{ listingId: A1.id, title: 'A1 flat', currency: 'eur', revenue: 8_000, orders: 1 }]);

    const adm = (await t.http().get('/v1/admin/analytics').set(admin.auth).expect(200)).body;
    expect(adm).toMatchObject({
      gmv: { eur: 10_000 },
      platformFees: { eur: 2_000 },
      publisherRevenue: { eur: 8_000 },
      orders: 1,
      moderation: { medianTimeToDecisionSeconds: null, decisions: 0, approved: 0, rejected: 0 },
      // Orders placed today: A and B sell, X and Y buy; C's listings all date from 2025.
      activeOrganizations: { publishers: 2, advertisers: 2 },
      ordersByStatus: { pending_payment: 1, paid: 8, payment_failed: 0, refunded: 2, disputed: 0, canceled: 0 },
    });
  });

  it('from/to filter: a wider range takes in the order paid before R; to is exclusive', async () => {
    const wide = (await publisherStats(pubA, { from: '2024-12-01T00:00:00Z', to: R_TO })).body;
    // + o5 (200) + o6 charge (8000) on top of R's 12000.
    expect(wide).toMatchObject({ revenue: { eur: 20_200 }, orders: 6, overlapRequestsReceived: 5 });
    const b = (await publisherStats(pubB, { from: R_FROM, to: '2025-03-01T00:00:01Z' })).body;
    expect(b).toMatchObject({ revenue: { eur: 8_000, usd: 2_400 }, orders: 3 }); // o9 paid exactly at 2025-03-01
    const onlyJanuary = (await adminStats({ from: R_FROM, to: '2025-02-01T00:00:00Z' })).body;
    expect(onlyJanuary).toMatchObject({ gmv: { eur: 5_000 }, moderation: { medianTimeToDecisionSeconds: 5_400, decisions: 2 } });
  });

  it('a bad range is 400', async () => {
    const bad = async (q: Record<string, string>, code: string) => {
      const res = await t.http().get('/v1/analytics/publisher').query(q).set(pubA.auth).expect(400);
      expect(res.body.code).toBe(code);
    };
    await bad({ from: R_TO, to: R_FROM }, 'INVALID_RANGE');
    await bad({ from: R_FROM, to: R_FROM }, 'INVALID_RANGE');
    await bad({ from: '2023-01-01T00:00:00Z', to: '2025-01-01T00:00:01Z' }, 'RANGE_TOO_LONG');
    await bad({ from: 'last tuesday' }, 'VALIDATION_FAILED');
    await bad({ from: R_FROM, extra: '1' }, 'VALIDATION_FAILED');
    await t.http().get('/v1/admin/analytics').query({ from: R_TO, to: R_FROM }).set(admin.auth).expect(400);
    await t.http().get('/v1/analytics/advertiser').query({ from: '2020-01-01', to: '2025-01-01' }).set(advX.auth).expect(400);
  });

  it('roles: each view is for its own role only', async () => {
    await t.http().get('/v1/analytics/publisher').set(advX.auth).expect(403);
    await t.http().get('/v1/analytics/publisher').set(admin.auth).expect(403);
    await t.http().get('/v1/analytics/advertiser').set(pubA.auth).expect(403);
    await t.http().get('/v1/admin/analytics').set(pubA.auth).expect(403);
    await t.http().get('/v1/admin/analytics').set(advX.auth).expect(403);
    await t.http().get('/v1/analytics/publisher').expect(401);
    await t.http().get('/v1/admin/analytics').expect(401);
  });
});
