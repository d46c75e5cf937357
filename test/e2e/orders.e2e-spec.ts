import { jest } from '@jest/globals';
jest.setTimeout(60_000);
import { createTestApp, type TestApp } from '../helpers/app';
import { type Actor, anAdmin, anAdvertiser, aPublisher } from '../helpers/builders';
import { aPayableSeller } from '../helpers/payments';
import { seedApprovedListing } from '../helpers/seed-listing';
import { startStripeRecorder, type StripeRecorder } from '../helpers/stripe-recorder';

const FLAT = { model: 'flat' as const, amount: 49_999, currency: 'eur' };
const CPM = { model: 'cpm' as const, amount: 1_234, currency: 'eur' };

describe('orders and Stripe Checkout', () => {
  let t: TestApp;
  let stripe: StripeRecorder;
  let publisher: Actor;
  let sellerAccount: string;
  let advertiser: Actor;

  beforeAll(async () => {
    stripe = await startStripeRecorder();
    t = await createTestApp({ env: { ...stripe.env, PLATFORM_FEE_BPS: '2000' } });
    publisher = await aPublisher(t);
    sellerAccount = await aPayableSeller(t, publisher);
    advertiser = await anAdvertiser(t);
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  it('a flat order is priced on the server and opens a destination-charge Checkout session', async () => {
    const listing = await seedApprovedListing(t, publisher, { pricing: FLAT, licenseDays: 30 });
    const before = stripe.requests.length;
    const res = await t.http().post('/v1/orders').set(advertiser.auth).send({ listingId: listing.id }).expect(201);
    // 49 999 × 20 % = 9 999.8 → 10 000 (half up)
    expect(res.body).toMatchObject({
      status: 'pending_payment',
      amount: 49_999,
      platformFee: 10_000,
      currency: 'eur',
      listingId: listing.id,
      checkoutUrl: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//),
      snapshot: { listingId: listing.id, version: 1, title: listing.title, pricing: FLAT, licenseDays: 30 },
    });
    expect(res.body.license).toBeUndefined();
    expect(res.body.quantity).toBeUndefined();

    const sent = stripe.requests.slice(before).filter((r) => r.path === '/v1/checkout/sessions');
    expect(sent).toHaveLength(1);
    const { form, headers, method } = sent[0];
    expect(method).toBe('POST');
    expect(headers['idempotency-key']).toBe(`order:${res.body.id}:checkout`);
    expect(form).toMatchObject({
      mode: 'payment',
      client_reference_id: res.body.id,
      'metadata[orderId]': res.body.id,
      'payment_intent_data[application_fee_amount]': '10000',
      'payment_intent_data[transfer_data][destination]': sellerAccount,
      'payment_intent_data[metadata][orderId]': res.body.id,
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '49999',
      'line_items[0][price_data][product_data][name]': listing.title,
      success_url: 'http://localhost:3000/checkout/success',
      cancel_url: 'http://localhost:3000/checkout/cancel',
    });

    const stored = await t.connection.collection('orders').findOne({});
    expect(stored).toMatchObject({ stripeCheckoutSessionId: expect.stringMatching(/^cs_/), snapshot: expect.objectContaining({ segmentId: expect.any(String) }) });
  });

  it('a CPM order charges amount × thousands and sends quantity in thousands', async () => {
    const listing = await seedApprovedListing(t, publisher, { pricing: CPM, licenseDays: 90 });
    const before = stripe.requests.length;
    const res = await t.http().post('/v1/orders').set(advertiser.auth).send({ listingId: listing.id, quantity: 25_000 }).expect(201);
    expect(res.body).toMatchObject({ amount: 30_850, platformFee: 6_170, quantity: 25_000, status: 'pending_payment' });
    const [sent] = stripe.requests.slice(before).filter((r) => r.path === '/v1/checkout/sessions');
    expect(sent.form).toMatchObject({
      'line_items[0][quantity]': '25',
      'line_items[0][price_data][unit_amount]': '1234',
      'payment_intent_data[application_fee_amount]': '6170',
    });
  });

  it('CPM quantity must be a positive multiple of 1000; flat takes none', async () => {
    const cpm = await seedApprovedListing(t, publisher, { pricing: CPM, licenseDays: 30 });
    const flat = await seedApprovedListing(t, publisher, { pricing: FLAT, licenseDays: 30 });
    const post = (body: object) => t.http().post('/v1/orders').set(advertiser.auth).send(body);
    expect((await post({ listingId: cpm.id }).expect(400)).body.code).toBe('QUANTITY_REQUIRED');
    expect((await post({ listingId: cpm.id, quantity: 1500 }).expect(400)).body.code).toBe('INVALID_QUANTITY');
    expect((await post({ listingId: cpm.id, quantity: 0 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await post({ listingId: cpm.id, quantity: 2.5 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await post({ listingId: flat.id, quantity: 1000 }).expect(400)).body.code).toBe('QUANTITY_NOT_ALLOWED');
  });

  it('the client cannot send a price: unknown fields are refused', async () => {
    const listing = await seedApprovedListing(t, publisher, { pricing: FLAT, licenseDays: 30 });
    const res = await t.http().post('/v1/orders').set(advertiser.auth).send({ listingId: listing.id, amount: 1 }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'amount' })]);
  });

  it('an unapproved listing is 409 LISTING_NOT_AVAILABLE, an unknown one 404', async () => {
    for (const status of ['draft', 'pending_review', 'rejected', 'suspended', 'archived'] as const) {
      const listing = await seedApprovedListing(t, publisher, { pricing: FLAT, licenseDays: 30, status });
      const res = await t.http().post('/v1/orders').set(advertiser.auth).send({ listingId: listing.id }).expect(409);
      expect(res.body.code).toBe('LISTING_NOT_AVAILABLE');
    }
    await t.http().post('/v1/orders').set(advertiser.auth).send({ listingId: '65f000000000000000000000' }).expect(404);
  });

  it('an organization cannot buy its own listing (403 OWN_LISTING)', async () => {
    const listing = await seedApprovedListing(t, advertiser, { pricing: FLAT, licenseDays: 30 });
    const res = await t.http().post('/v1/orders').set(advertiser.auth).send({ listingId: listing.id }).expect(403);
    expect(res.body.code).toBe('OWN_LISTING');
  });

  it('a publisher without a payable Connect account cannot be bought from (409 SELLER_NOT_PAYABLE)', async () => {
    const unpayable = await aPublisher(t);
    const listing = await seedApprovedListing(t, unpayable, { pricing: FLAT, licenseDays: 30 });
    const res = await t.http().post('/v1/orders').set(advertiser.auth).send({ listingId: listing.id }).expect(409);
    expect(res.body.code).toBe('SELLER_NOT_PAYABLE');
  });

  it('only advertisers order', async () => {
    const listing = await seedApprovedListing(t, publisher, { pricing: FLAT, licenseDays: 30 });
    await t.http().post('/v1/orders').set(publisher.auth).send({ listingId: listing.id }).expect(403);
    await t.http().post('/v1/orders').send({ listingId: listing.id }).expect(401);
  });

  it('visibility: buyer sees its orders, seller the orders of its listings, admin all; others get 404', async () => {
    const otherPublisher = await aPublisher(t);
    await aPayableSeller(t, otherPublisher);
    const mine = await seedApprovedListing(t, publisher, { pricing: FLAT, licenseDays: 30 });
    const theirs = await seedApprovedListing(t, otherPublisher, { pricing: FLAT, licenseDays: 30 });
    const buyerA = await anAdvertiser(t);
    const buyerB = await anAdvertiser(t);
    const a1 = (await t.http().post('/v1/orders').set(buyerA.auth).send({ listingId: mine.id }).expect(201)).body;
    const b1 = (await t.http().post('/v1/orders').set(buyerB.auth).send({ listingId: theirs.id }).expect(201)).body;

    const idsOf = async (actor: Actor) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await t.http().get('/v1/orders').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(actor.auth).expect(200);
        ids.push(...page.body.items.map((o: any) => o.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      return ids;
    };
    expect(await idsOf(buyerA)).toEqual([a1.id]);
    expect(await idsOf(buyerB)).toEqual([b1.id]);
    const sellerSees = await idsOf(otherPublisher);
    expect(sellerSees).toEqual([b1.id]);
    const adminSees = await idsOf(await anAdmin(t));
    expect(adminSees).toEqual(expect.arrayContaining([a1.id, b1.id]));
    expect(new Set(adminSees).size).toBe(adminSees.length);
    expect(adminSees.length).toBe(await t.connection.collection('orders').countDocuments());

    await t.http().get(`/v1/orders/${a1.id}`).set(buyerA.auth).expect(200);
    await t.http().get(`/v1/orders/${a1.id}`).set(publisher.auth).expect(200);
    await t.http().get(`/v1/orders/${a1.id}`).set((await anAdmin(t)).auth).expect(200);
    expect((await t.http().get(`/v1/orders/${a1.id}`).set(buyerB.auth).expect(404)).body.code).toBe('NOT_FOUND');
    await t.http().get(`/v1/orders/${a1.id}`).set(otherPublisher.auth).expect(404);
    await t.http().get(`/v1/orders/${b1.id}`).set(publisher.auth).expect(404);
  });

  it('hitting the Checkout success URL does not pay an order: only the webhook does', async () => {
    const listing = await seedApprovedListing(t, publisher, { pricing: FLAT, licenseDays: 30 });
    const order = (await t.http().post('/v1/orders').set(advertiser.auth).send({ listingId: listing.id }).expect(201)).body;
    const success = new URL('http://localhost:3000/checkout/success');
    await t.http().get(`${success.pathname}?session_id=cs_test_whatever&order=${order.id}`).expect(404);
    const after = await t.http().get(`/v1/orders/${order.id}`).set(advertiser.auth).expect(200);
    expect(after.body.status).toBe('pending_payment');
    expect(after.body.license).toBeUndefined();

    // No route other than the webhook changes an order's payment state (deliveries only read it).
    const doc = await t.http().get('/docs-json').expect(200);
    const writeRoutes = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .filter(([p]) => /order|payment|checkout/.test(p))
      .flatMap(([p, ops]) => Object.keys(ops).filter((m) => m !== 'get').map((m) => `${m.toUpperCase()} ${p}`));
    expect(writeRoutes.sort()).toEqual([
      'POST /v1/admin/orders/{id}/refund',
      'POST /v1/orders',
      'POST /v1/orders/{id}/deliveries',
      'POST /v1/payments/webhook',
    ]);
  });
});
