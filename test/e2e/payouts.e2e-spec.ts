import { jest } from '@jest/globals';
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../helpers/app';
import { anAdvertiser, aPublisher } from '../helpers/builders';
import { startStripeRecorder, type StripeRecorder } from '../helpers/stripe-recorder';

jest.setTimeout(60_000);

describe('Stripe Connect payouts onboarding', () => {
  let t: TestApp;
  let stripe: StripeRecorder;

  beforeAll(async () => {
    stripe = await startStripeRecorder();
    t = await createTestApp({ env: stripe.env });
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  it('creates the Express account once, stores it, and returns an onboarding link', async () => {
    const publisher = await aPublisher(t);
    const before = stripe.requests.length;
    const res = await t.http().post('/v1/payouts/onboarding').set(publisher.auth).expect(201);
    expect(res.body).toEqual({ url: expect.stringMatching(/^https:\/\//), accountId: expect.stringMatching(/^acct_/) });

    const sent = stripe.requests.slice(before);
    const create = sent.filter((r) => r.method === 'POST' && r.path === '/v1/accounts');
    expect(create).toHaveLength(1);
    expect(create[0].form).toMatchObject({ type: 'express', 'metadata[orgId]': publisher.organizationId });
    expect(create[0].headers['idempotency-key']).toBe(`org:${publisher.organizationId}:account`);
    const [link] = sent.filter((r) => r.path === '/v1/account_links');
    expect(link.form).toMatchObject({
      account: res.body.accountId,
      type: 'account_onboarding',
      refresh_url: 'http://localhost:3000/payouts/refresh',
      return_url: 'http://localhost:3000/payouts/return',
    });
    const org = await t.connection.collection('organizations').findOne({ _id: new Types.ObjectId(publisher.organizationId) });
    expect(org?.stripeAccountId).toBe(res.body.accountId);

    // A second visit gets a fresh link for the same account; no second account.
    const again = await t.http().post('/v1/payouts/onboarding').set(publisher.auth).expect(201);
    expect(again.body.accountId).toBe(res.body.accountId);
    expect(stripe.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/v1/accounts')).toHaveLength(1);
    expect(await t.connection.collection('auditLog').countDocuments({ action: 'payouts.account_created', targetId: publisher.organizationId })).toBe(1);
  });

  it('status: none before onboarding; refreshed from Stripe after', async () => {
    const publisher = await aPublisher(t);
    expect((await t.http().get('/v1/payouts/status').set(publisher.auth).expect(200)).body).toEqual({
      accountId: null,
      chargesEnabled: false,
      payoutsEnabled: false,
    });
    // stripe-mock answers every create with one fixed id, and stripeAccountId is unique: give this org its own.
    const accountId = `acct_test_${new Types.ObjectId()}`;
    await t.connection.collection('organizations').updateOne(
      { _id: new Types.ObjectId(publisher.organizationId) },
      { $set: { stripeAccountId: accountId, chargesEnabled: true, payoutsEnabled: true } },
    );
    const before = stripe.requests.length;
    const res = await t.http().get('/v1/payouts/status').set(publisher.auth).expect(200);
    const [retrieve] = stripe.requests.slice(before).filter((r) => r.method === 'GET' && r.path === `/v1/accounts/${accountId}`);
    expect(retrieve).toBeDefined();
    // stripe-mock's fixture account has charges and payouts disabled: the org follows what Stripe says.
    expect(res.body).toEqual({ accountId, chargesEnabled: false, payoutsEnabled: false });
    const org = await t.connection.collection('organizations').findOne({ _id: new Types.ObjectId(publisher.organizationId) });
    expect(org).toMatchObject({ chargesEnabled: false, payoutsEnabled: false });
  });

  it('is for publishers only', async () => {
    const advertiser = await anAdvertiser(t);
    await t.http().post('/v1/payouts/onboarding').set(advertiser.auth).expect(403);
    await t.http().get('/v1/payouts/status').set(advertiser.auth).expect(403);
    await t.http().get('/v1/payouts/status').expect(401);
  });
});
