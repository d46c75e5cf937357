import { jest } from '@jest/globals';
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../helpers/app';
import { type Actor, anAdmin, anAdvertiser, aPublisher } from '../helpers/builders';
import { aPayableSeller } from '../helpers/payments';
import { seedApprovedListing } from '../helpers/seed-listing';
import {
  aCharge,
  aCheckoutSession,
  aDispute,
  anAccount,
  anEvent,
  type OrderRef,
  paymentIntentFor,
  sendEvent,
  signatureFor,
  webhookSecret,
} from '../helpers/stripe-events';
import { startStripeRecorder, type StripeRecorder } from '../helpers/stripe-recorder';

jest.setTimeout(60_000);

const DAY = 24 * 3600 * 1000;
const FLAT = { model: 'flat' as const, amount: 10_000, currency: 'eur' };

describe('Stripe webhooks, fulfilment, refunds and disputes', () => {
  let t: TestApp;
  let stripe: StripeRecorder;
  let publisher: Actor;
  let advertiser: Actor;
  let admin: Actor;
  let listingId: string;

  beforeAll(async () => {
    stripe = await startStripeRecorder();
    t = await createTestApp({ env: stripe.env });
    publisher = await aPublisher(t);
    await aPayableSeller(t, publisher);
    advertiser = await anAdvertiser(t);
    admin = await anAdmin(t);
    listingId = (await seedApprovedListing(t, publisher, { pricing: FLAT, licenseDays: 30 })).id;
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const newOrder = async (): Promise<OrderRef> => {
    const res = await t.http().post('/v1/orders').set(advertiser.auth).send({ listingId }).expect(201);
    return { id: res.body.id, amount: res.body.amount, currency: res.body.currency };
  };
  const getOrder = async (id: string) => (await t.http().get(`/v1/orders/${id}`).set(advertiser.auth).expect(200)).body;
  const ledger = (orderId: string) => t.connection.collection('ledgerEntries').find({ orderId: new Types.ObjectId(orderId) }).toArray();
  const audits = (orderId: string, action: string) => t.connection.collection('auditLog').countDocuments({ targetId: orderId, action });
  const completed = (order: OrderRef, over: Record<string, unknown> = {}) => anEvent('checkout.session.completed', aCheckoutSession(order, over));

  it('a signed checkout.session.completed pays the order and starts a licence of licenseDays', async () => {
    const order = await newOrder();
    const before = Date.now();
    const res = await sendEvent(t, completed(order)).expect(200);
    expect(res.body).toEqual({ received: true });
    const paid = await getOrder(order.id);
    expect(paid.status).toBe('paid');
    const startsAt = Date.parse(paid.license.startsAt);
    expect(startsAt).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(paid.license.expiresAt) - startsAt).toBe(30 * DAY);
    expect(paid.license.active).toBe(true);
    expect(await ledger(order.id)).toEqual([
      expect.objectContaining({ kind: 'charge', amount: 10_000, platformFee: 2_000, sellerNet: 8_000, currency: 'eur' }),
    ]);
    expect(await audits(order.id, 'order.paid')).toBe(1);
    const audit = await t.http().get('/v1/admin/audit').query({ targetId: order.id, action: 'order.paid' }).set(admin.auth).expect(200);
    expect(audit.body.items[0]).toMatchObject({ actorId: 'system', actorRole: 'system', action: 'order.paid' });
  });

  it('the same event 10 times in sequence and 10 times concurrently: one fulfilment, one ledger entry', async () => {
    const order = await newOrder();
    const event = completed(order);
    const first = await sendEvent(t, event).expect(200);
    expect(first.body).toEqual({ received: true });
    const paidAt = (await getOrder(order.id)).paidAt;
    for (let i = 0; i < 10; i++) {
      expect((await sendEvent(t, event).expect(200)).body).toEqual({ received: true, duplicate: true });
    }
    await Promise.all(Array.from({ length: 10 }, () => sendEvent(t, event).expect(200)));
    expect((await getOrder(order.id)).paidAt).toBe(paidAt);
    expect(await ledger(order.id)).toHaveLength(1);
    expect(await audits(order.id, 'order.paid')).toBe(1);
    expect(await t.connection.collection('stripeEvents').countDocuments({ _id: event.id as any })).toBe(1);
  });

  it('10 concurrent first deliveries of a fresh event also fulfil exactly once', async () => {
    const order = await newOrder();
    const event = completed(order);
    const results = await Promise.all(Array.from({ length: 10 }, () => sendEvent(t, event)));
    // One delivery applies it; the others see it applied (200 duplicate) or still being applied (409 → Stripe retries).
    const applied = results.filter((r) => r.status === 200 && !r.body.duplicate);
    expect(applied).toHaveLength(1);
    for (const r of results.filter((x) => x !== applied[0])) {
      if (r.status === 200) expect(r.body).toEqual({ received: true, duplicate: true });
      else expect([r.status, r.body.code]).toEqual([409, 'WEBHOOK_EVENT_IN_PROGRESS']);
    }
    expect((await sendEvent(t, event).expect(200)).body).toEqual({ received: true, duplicate: true });
    expect((await getOrder(order.id)).status).toBe('paid');
    expect(await ledger(order.id)).toHaveLength(1);
    expect(await audits(order.id, 'order.paid')).toBe(1);
  });

  it('a bad signature is 400 and changes nothing: tampered body, wrong secret, 301-second-old, missing', async () => {
    const order = await newOrder();
    const event = completed(order);
    const payload = JSON.stringify(event);
    const tampered = payload.replace(`"amount_total":${order.amount}`, `"amount_total":1`);
    const attempts = [
      sendEvent(t, event, { payload: tampered, signature: signatureFor(payload, webhookSecret(t)) }),
      sendEvent(t, event, { secret: 'whsec_not_the_right_one' }),
      sendEvent(t, event, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      sendEvent(t, event, { signature: null }),
      sendEvent(t, event, { signature: 'garbage' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
    expect((await getOrder(order.id)).status).toBe('pending_payment');
    expect(await t.connection.collection('stripeEvents').countDocuments({ _id: event.id as any })).toBe(0);
    expect(await ledger(order.id)).toHaveLength(0);
    // …and the genuine delivery still works afterwards.
    await sendEvent(t, event).expect(200);
    expect((await getOrder(order.id)).status).toBe('paid');
  });

  it('an amount that differs from the server price is not fulfilled', async () => {
    const order = await newOrder();
    await sendEvent(t, completed(order, { amount_total: 1 })).expect(200);
    expect((await getOrder(order.id)).status).toBe('pending_payment');
    expect(await audits(order.id, 'order.payment_mismatch')).toBe(1);
  });

  it('an unpaid completion waits for async success; async failure marks payment_failed', async () => {
    const ok = await newOrder();
    await sendEvent(t, completed(ok, { payment_status: 'unpaid' })).expect(200);
    expect((await getOrder(ok.id)).status).toBe('pending_payment');
    await sendEvent(t, anEvent('checkout.session.async_payment_succeeded', aCheckoutSession(ok))).expect(200);
    expect((await getOrder(ok.id)).status).toBe('paid');

    const ko = await newOrder();
    await sendEvent(t, completed(ko, { payment_status: 'unpaid' })).expect(200);
    await sendEvent(t, anEvent('checkout.session.async_payment_failed', aCheckoutSession(ko, { payment_status: 'unpaid' }))).expect(200);
    const failed = await getOrder(ko.id);
    expect(failed.status).toBe('payment_failed');
    expect(failed.license).toBeUndefined();
    expect(await ledger(ko.id)).toHaveLength(0);
  });

  it('a refund that overtakes the completion ends refunded, and the late completion does not resurrect it', async () => {
    const order = await newOrder();
    await sendEvent(t, anEvent('charge.refunded', aCharge(order, { metadata: { orderId: order.id } }))).expect(200);
    expect((await getOrder(order.id)).status).toBe('refunded');
    await sendEvent(t, completed(order)).expect(200);
    const final = await getOrder(order.id);
    expect(final.status).toBe('refunded');
    expect(final.license).toBeUndefined();
    const entries = await ledger(order.id);
    expect(entries.map((e) => e.kind).sort()).toEqual(['charge', 'refund']);
    expect(entries.reduce((s, e) => s + e.amount, 0)).toBe(0);
  });

  it('an event applied only halfway (crash before processedAt) is re-applied on redelivery once its lease is over', async () => {
    const order = await newOrder();
    const event = completed(order);
    const claimed = { _id: event.id as any, type: event.type, receivedAt: new Date() };
    await t.connection.collection('stripeEvents').insertOne(claimed);
    // Claimed a moment ago by a delivery that may still be running: Stripe is asked to retry.
    expect((await sendEvent(t, event).expect(409)).body.code).toBe('WEBHOOK_EVENT_IN_PROGRESS');
    expect((await getOrder(order.id)).status).toBe('pending_payment');
    // Two minutes later that delivery has evidently crashed: the redelivery applies the event.
    await t.connection.collection('stripeEvents').updateOne({ _id: claimed._id }, { $set: { receivedAt: new Date(Date.now() - 120_000) } });
    const res = await sendEvent(t, event).expect(200);
    expect(res.body).toEqual({ received: true, duplicate: true });
    expect((await getOrder(order.id)).status).toBe('paid');
    expect(await ledger(order.id)).toHaveLength(1);
    expect((await t.connection.collection('stripeEvents').findOne({ _id: event.id as any }))?.processedAt).toBeInstanceOf(Date);
  });

  it('admin refund: Stripe is asked with reverse_transfer and refund_application_fee; charge.refunded ends the licence', async () => {
    const order = await newOrder();
    await sendEvent(t, completed(order)).expect(200);
    const before = stripe.requests.length;
    const res = await t.http().post(`/v1/admin/orders/${order.id}/refund`).set(admin.auth).expect(202);
    expect(res.body).toMatchObject({ id: order.id, status: 'paid', refund: { stripeRefundId: expect.stringMatching(/^re_/) } });
    const [sent] = stripe.requests.slice(before).filter((r) => r.path === '/v1/refunds');
    expect(sent.headers['idempotency-key']).toBe(`order:${order.id}:refund`);
    expect(sent.form).toMatchObject({
      payment_intent: paymentIntentFor(order),
      reverse_transfer: 'true',
      refund_application_fee: 'true',
    });
    // Asking twice does not refund twice.
    await t.http().post(`/v1/admin/orders/${order.id}/refund`).set(admin.auth).expect(202);
    expect(stripe.requests.slice(before).filter((r) => r.path === '/v1/refunds')).toHaveLength(1);
    expect(await audits(order.id, 'order.refund_requested')).toBe(1);

    await sendEvent(t, anEvent('charge.refunded', aCharge(order))).expect(200);
    const refunded = await getOrder(order.id);
    expect(refunded.status).toBe('refunded');
    expect(refunded.license).toMatchObject({ endReason: 'refunded', endedAt: expect.any(String), active: false });
    expect(await audits(order.id, 'order.refunded')).toBe(1);
    const entries = await ledger(order.id);
    expect(entries.find((e) => e.kind === 'refund')).toMatchObject({ amount: -10_000, platformFee: -2_000, sellerNet: -8_000 });

    const again = await t.http().post(`/v1/admin/orders/${order.id}/refund`).set(admin.auth).expect(409);
    expect(again.body.code).toBe('ORDER_NOT_REFUNDABLE');
  });

  it('refund: only admins, only paid orders, unknown order 404', async () => {
    const pending = await newOrder();
    expect((await t.http().post(`/v1/admin/orders/${pending.id}/refund`).set(admin.auth).expect(409)).body.code).toBe('ORDER_NOT_REFUNDABLE');
    await t.http().post(`/v1/admin/orders/${pending.id}/refund`).set(advertiser.auth).expect(403);
    await t.http().post(`/v1/admin/orders/${new Types.ObjectId()}/refund`).set(admin.auth).expect(404);
  });

  it('a dispute suspends the licence; won resumes it; lost ends it', async () => {
    const won = await newOrder();
    await sendEvent(t, completed(won)).expect(200);
    await sendEvent(t, anEvent('charge.dispute.created', aDispute(won, 'needs_response'))).expect(200);
    const disputed = await getOrder(won.id);
    expect(disputed).toMatchObject({ status: 'disputed', dispute: { status: 'open' }, license: { active: false } });
    expect(disputed.license.endedAt).toBeUndefined();
    await sendEvent(t, anEvent('charge.dispute.closed', aDispute(won, 'won'))).expect(200);
    expect(await getOrder(won.id)).toMatchObject({ status: 'paid', dispute: { status: 'won' }, license: { active: true } });

    const lost = await newOrder();
    await sendEvent(t, completed(lost)).expect(200);
    await sendEvent(t, anEvent('charge.dispute.created', aDispute(lost, 'needs_response'))).expect(200);
    const closed = anEvent('charge.dispute.closed', aDispute(lost, 'lost'));
    await sendEvent(t, closed).expect(200);
    await sendEvent(t, closed).expect(200);
    const ended = await getOrder(lost.id);
    expect(ended).toMatchObject({ status: 'disputed', dispute: { status: 'lost' }, license: { endReason: 'dispute_lost', active: false } });
    expect(ended.license.endedAt).toEqual(expect.any(String));
    const entries = await ledger(lost.id);
    expect(entries.map((e) => e.kind).sort()).toEqual(['charge', 'dispute_lost']);
    expect(await audits(lost.id, 'order.dispute_lost')).toBe(1);
  });

  it('account.updated flips payout readiness, and with it whether the publisher can be bought from', async () => {
    const seller = await aPublisher(t);
    const accountId = `acct_test_${new Types.ObjectId()}`;
    await t.connection.collection('organizations').updateOne({ _id: new Types.ObjectId(seller.organizationId) }, { $set: { stripeAccountId: accountId } });
    const listing = await seedApprovedListing(t, seller, { pricing: FLAT, licenseDays: 7 });
    const order = () => t.http().post('/v1/orders').set(advertiser.auth).send({ listingId: listing.id });
    expect((await order().expect(409)).body.code).toBe('SELLER_NOT_PAYABLE');

    await sendEvent(t, anEvent('account.updated', anAccount(accountId, { charges_enabled: true, payouts_enabled: false }))).expect(200);
    const org = await t.connection.collection('organizations').findOne({ _id: new Types.ObjectId(seller.organizationId) });
    expect(org).toMatchObject({ chargesEnabled: true, payoutsEnabled: false });
    await order().expect(201);

    await sendEvent(t, anEvent('account.updated', anAccount(accountId, { charges_enabled: false, payouts_enabled: false }))).expect(200);
    expect((await order().expect(409)).body.code).toBe('SELLER_NOT_PAYABLE');
  });

  it('documents the payment routes in OpenAPI', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/orders', '/v1/orders/{id}', '/v1/payments/webhook', '/v1/admin/orders/{id}/refund', '/v1/payouts/onboarding', '/v1/payouts/status']),
    );
    const webhook = doc.paths['/v1/payments/webhook'].post;
    expect(webhook.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Stripe-Signature', in: 'header', required: true })]));
    expect(webhook.security ?? []).toEqual([]);
  });
});
