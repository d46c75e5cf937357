import { createTestApp, type TestApp } from '../helpers/app';
import { type Actor, anAdmin, anAdvertiser, aPublisher } from '../helpers/builders';
import { aPaidOrder, anApprovedListingOf, aSegmentOf, emailKey, type Member, sha256 } from '../helpers/exchange';
import { aCharge, anEvent, sendEvent } from '../helpers/stripe-events';
import { signDownloadToken } from '../../src/deliveries/download-token';
import { verifyMerkleProof } from '../../src/deliveries/manifest-digest';
import { APP_CONFIG, type AppConfig } from '../../src/config/config';
import { verifyAudexSignature, WEBHOOK_PUSHER_OPTIONS, type WebhookPusherOptions } from '../../src/deliveries/webhook-push';
import { MongoClient, ObjectId } from 'mongodb';
import * as http from 'node:http';
import { type AddressInfo, type LookupFunction } from 'node:net';

const FULL = [1, 2, 3, 4];
const mk = (prefix: string, n: number, consent: Member['consent']): Member[] =>
  Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@news.example`, consent }));

describe('deliveries', () => {
  let t: TestApp;
  let admin: Actor;
  let publisher: Actor;
  let listing: any;
  let audienceId: string;
  const granted = mk('ok', 8, { status: 'granted', purposes: FULL });
  const denied = mk('denied', 2, { status: 'denied', purposes: [] });
  const noPurpose4 = mk('nop4', 2, { status: 'granted', purposes: [1, 2, 3] });
  const toRevoke = mk('revoke', 1, { status: 'granted', purposes: FULL });
  const toErase = mk('erase', 1, { status: 'granted', purposes: FULL });
  const noConsent = mk('none', 3, null);

  beforeAll(async () => {
    t = await createTestApp({ env: { MIN_SEGMENT_SIZE: '5', DELIVERY_ALLOW_INSECURE_WEBHOOKS: 'false' } });
    admin = await anAdmin(t);
    publisher = await aPublisher(t);
    const seg = await aSegmentOf(t, publisher, [...granted, ...denied, ...noPurpose4, ...toRevoke, ...toErase, ...noConsent]);
    audienceId = seg.audienceId;
    // Consent changes after upload, through the API: one revocation, one erasure.
    await t
      .http()
      .post('/v1/consent')
      .set(publisher.auth)
      .send({ audienceId, identifier: { email: toRevoke[0].email }, status: 'revoked', purposes: [], source: 'cmp' })
      .expect(201);
    await t.http().post('/v1/erasures').set(publisher.auth).send({ identifier: { email: toErase[0].email } }).expect(202);
    listing = await anApprovedListingOf(t, publisher, admin, seg.segmentId);
  });
  afterAll(() => t.close());

  it('delivers only members whose consent covers the use now, with exclusions by reason and a sealed manifest', async () => {
    const { buyer, order } = await aPaidOrder(t, listing.id);
    const res = await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson' }).expect(201);
    expect(res.body).toMatchObject({ status: 'ready', format: 'ndjson', recordCount: 8, excludedNoConsent: 2 + 2 + 1 + 3 });
    expect(res.body.manifest.excluded).toMatchObject({ denied: 2, missing_purpose: 2, revoked: 1, no_consent: 3, erased: 0, over_quantity: 0 });
    expect(res.body.manifest.purposesRequired).toEqual([1, 3, 4]);

    const dl = await t.http().get(`/v1/deliveries/${res.body.id}/download`).set(buyer.auth).expect(200);
    expect(dl.headers['content-type']).toContain('application/x-ndjson');
    const rows = dl.text.trim().split('\n').map((l) => JSON.parse(l));
    const keys = rows.map((r) => r.key).sort();
    expect(keys).toEqual(granted.map((m) => emailKey(m.email)).sort());
    expect(rows[0]).toEqual({ key: expect.any(String), emailSha256: expect.any(String), traits: { interest: 'sport', country: 'FR' } });
    expect(dl.text).not.toContain('@news.example');
    // The digest is reproducible from the file by anyone.
    expect(res.body.manifest.digest).toBe(sha256(keys.map((k) => `${k}\n`).join('')));

    const manifest = await t.http().get(`/v1/deliveries/${res.body.id}/manifest`).set(buyer.auth).expect(200);
    expect(manifest.body).toEqual(res.body.manifest);
  });

  it('proves inclusion: verify answers included with the consent at delivery, and a Merkle proof that checks out', async () => {
    const { buyer, order } = await aPaidOrder(t, listing.id);
    const d = (await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson' }).expect(201)).body;
    const inKey = emailKey(granted[3].email);
    const yes = await t.http().post(`/v1/deliveries/${d.id}/verify`).set(buyer.auth).send({ subjectKey: inKey }).expect(200);
    expect(yes.body).toMatchObject({ included: true, consentAtDelivery: { status: 'granted', purposes: FULL, vendorConsent: true } });
    expect(verifyMerkleProof(d.manifest.merkleRoot, inKey, yes.body.merkleProof)).toBe(true);
    expect(verifyMerkleProof(d.manifest.merkleRoot, emailKey(denied[0].email), yes.body.merkleProof)).toBe(false);

    for (const m of [denied[0], toRevoke[0], toErase[0], noPurpose4[0]]) {
      const no = await t.http().post(`/v1/deliveries/${d.id}/verify`).set(buyer.auth).send({ subjectKey: emailKey(m.email) }).expect(200);
      expect(no.body).toMatchObject({ included: false, consentAtDelivery: null });
    }
    const asAdmin = await t.http().post(`/v1/deliveries/${d.id}/verify`).set(admin.auth).send({ subjectKey: inKey }).expect(200);
    expect(asAdmin.body.included).toBe(true);
    await t.http().post(`/v1/deliveries/${d.id}/verify`).set(buyer.auth).send({ subjectKey: 'NOT-HEX' }).expect(400);
  });

  it('CSV downloads carry a header and one row per delivered member', async () => {
    const { buyer, order } = await aPaidOrder(t, listing.id);
    const d = (await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'csv' }).expect(201)).body;
    const dl = await t.http().get(`/v1/deliveries/${d.id}/download`).set(buyer.auth).expect(200);
    expect(dl.headers['content-type']).toContain('text/csv');
    const lines = dl.text.trim().split('\n');
    expect(lines[0]).toBe('key,email_sha256,phone_sha256,maid,trait.country,trait.interest');
    expect(lines).toHaveLength(1 + 8);
    expect(lines[1]).toMatch(/^[0-9a-f]{64},[0-9a-f]{64},,,FR,sport$/);
  });

  it('signed download links work without credentials; tampered or expired ones are 401', async () => {
    const { buyer, order } = await aPaidOrder(t, listing.id);
    const d = (await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson' }).expect(201)).body;
    const url = new URL(d.download.url);
    const ok = await t.http().get(`${url.pathname}${url.search}`).expect(200);
    expect(ok.text.trim().split('\n')).toHaveLength(8);

    const token = url.searchParams.get('token')!;
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    const bad = await t.http().get(`${url.pathname}?token=${tampered}`).expect(401);
    expect(bad.body.code).toBe('DOWNLOAD_TOKEN_INVALID');

    const secret = t.app.get<AppConfig>(APP_CONFIG).delivery.linkSecret;
    const expired = signDownloadToken({ deliveryId: d.id, buyerOrgId: buyer.organizationId, expiresAt: new Date(Date.now() - 1000) }, secret);
    const late = await t.http().get(`${url.pathname}?token=${expired}`).expect(401);
    expect(late.body.code).toBe('DOWNLOAD_TOKEN_EXPIRED');

    const other = await anAdvertiser(t);
    const forOther = signDownloadToken({ deliveryId: d.id, buyerOrgId: other.organizationId, expiresAt: new Date(Date.now() + 60_000) }, secret);
    await t.http().get(`${url.pathname}?token=${forOther}`).expect(404);
    await t.http().get(`${url.pathname}`).expect(401);
  });

  it("another advertiser's delivery and order are 404; publishers cannot create deliveries", async () => {
    const { buyer, order } = await aPaidOrder(t, listing.id);
    const d = (await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson' }).expect(201)).body;
    const other = await anAdvertiser(t);
    await t.http().get(`/v1/deliveries/${d.id}`).set(other.auth).expect(404);
    await t.http().get(`/v1/deliveries/${d.id}/manifest`).set(other.auth).expect(404);
    await t.http().get(`/v1/deliveries/${d.id}/download`).set(other.auth).expect(404);
    await t.http().post(`/v1/deliveries/${d.id}/verify`).set(other.auth).send({ subjectKey: emailKey(granted[0].email) }).expect(404);
    await t.http().post(`/v1/orders/${order.id}/deliveries`).set(other.auth).send({ format: 'ndjson' }).expect(404);
    await t.http().post(`/v1/orders/${order.id}/deliveries`).set(publisher.auth).send({ format: 'ndjson' }).expect(403);
  });

  it('an unpaid or refunded order cannot be delivered (409), and a refund stops downloads of earlier deliveries', async () => {
    const buyer = await anAdvertiser(t);
    const pending = await t.http().post('/v1/orders').set(buyer.auth).send({ listingId: listing.id }).expect(201);
    const r1 = await t.http().post(`/v1/orders/${pending.body.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson' }).expect(409);
    expect(r1.body.code).toBe('LICENSE_NOT_ACTIVE');

    const { order } = await aPaidOrder(t, listing.id, buyer);
    const d = (await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson' }).expect(201)).body;
    await t.http().post(`/v1/admin/orders/${order.id}/refund`).set(admin.auth).send({}).expect(202);
    await sendEvent(t, anEvent('charge.refunded', aCharge(order, { refunded: true, amount_refunded: order.amount }))).expect(200);
    expect((await t.http().get(`/v1/orders/${order.id}`).set(buyer.auth).expect(200)).body.status).toBe('refunded');
    const r2 = await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson' }).expect(409);
    expect(r2.body.code).toBe('LICENSE_NOT_ACTIVE');
    await t.http().get(`/v1/deliveries/${d.id}/download`).set(buyer.auth).expect(409);
  });

  it('refuses webhook destinations that are not public HTTPS endpoints', async () => {
    const { buyer, order } = await aPaidOrder(t, listing.id);
    for (const url of ['http://127.0.0.1:9/x', 'https://localhost/x', 'https://10.0.0.1/x', 'https://169.254.169.254/latest', 'https://[::1]/x']) {
      const res = await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson', destination: { type: 'webhook', url } }).expect(400);
      expect(res.body.code).toBe('WEBHOOK_URL_FORBIDDEN');
    }
    await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson', destination: { type: 'webhook' } }).expect(400);
  });
});

describe('notices', () => {
  let t: TestApp;
  let admin: Actor;
  let publisher: Actor;
  let listing: any;
  let audienceId: string;
  const members = mk('n', 7, { status: 'granted', purposes: FULL });

  beforeAll(async () => {
    t = await createTestApp({ env: { MIN_SEGMENT_SIZE: '5' } });
    admin = await anAdmin(t);
    publisher = await aPublisher(t);
    const seg = await aSegmentOf(t, publisher, members);
    audienceId = seg.audienceId;
    listing = await anApprovedListingOf(t, publisher, admin, seg.segmentId);
  });
  afterAll(() => t.close());

  it('a revocation after delivery notifies the buyer that received the subject, and only it', async () => {
    const a = await aPaidOrder(t, listing.id);
    await t.http().post(`/v1/orders/${a.order.id}/deliveries`).set(a.buyer.auth).send({ format: 'ndjson' }).expect(201);
    const b = await aPaidOrder(t, listing.id); // paid, but never took a delivery

    const revoked = await t
      .http()
      .post('/v1/consent')
      .set(publisher.auth)
      .send({ audienceId, identifier: { email: members[0].email }, status: 'revoked', purposes: [], source: 'cmp' })
      .expect(201);
    expect(revoked.body.buyersNotified).toBe(1);

    const listA = await t.http().get('/v1/notices').set(a.buyer.auth).expect(200);
    expect(listA.body.items).toHaveLength(1);
    expect(listA.body.items[0]).toMatchObject({ kind: 'revocation', subjectKey: emailKey(members[0].email), status: 'pending', sellerOrganizationId: publisher.organizationId });
    expect((await t.http().get('/v1/notices').set(b.buyer.auth).expect(200)).body.items).toEqual([]);

    const id = listA.body.items[0].id;
    await t.http().post(`/v1/notices/${id}/ack`).set(b.buyer.auth).expect(404);
    const ack = await t.http().post(`/v1/notices/${id}/ack`).set(a.buyer.auth).expect(200);
    expect(ack.body.status).toBe('acknowledged');
    const again = await t.http().post(`/v1/notices/${id}/ack`).set(a.buyer.auth).expect(409);
    expect(again.body.code).toBe('NOTICE_ALREADY_ACKNOWLEDGED');
    expect((await t.http().get('/v1/notices?status=pending').set(a.buyer.auth).expect(200)).body.items).toEqual([]);

    // The revoked subject is no longer in new downloads of the earlier delivery.
    const deliveries = await t.connection.collection('deliveries').find({ buyerOrgId: { $exists: true } }).toArray();
    const mine = deliveries.find((d) => String(d.buyerOrgId) === a.buyer.organizationId)!;
    const dl = await t.http().get(`/v1/deliveries/${mine._id}/download`).set(a.buyer.auth).expect(200);
    expect(dl.text).not.toContain(emailKey(members[0].email));
    expect(dl.text.trim().split('\n')).toHaveLength(6);
  });

  it('an erasure notifies every buyer that received the subject and strips its data from stored deliveries', async () => {
    const a = await aPaidOrder(t, listing.id);
    const b = await aPaidOrder(t, listing.id);
    const da = (await t.http().post(`/v1/orders/${a.order.id}/deliveries`).set(a.buyer.auth).send({ format: 'ndjson' }).expect(201)).body;
    await t.http().post(`/v1/orders/${b.order.id}/deliveries`).set(b.buyer.auth).send({ format: 'ndjson' }).expect(201);

    const key = emailKey(members[1].email);
    // Every buyer holding a delivery with this subject: a and b here, and the buyer of the previous test.
    const holders = new Set((await t.connection.collection('deliveryItems').find({ key }).toArray()).map((i) => String(i.buyerOrgId)));
    expect(holders).toEqual(expect.objectContaining({ size: 3 }));
    expect(holders.has(a.buyer.organizationId) && holders.has(b.buyer.organizationId)).toBe(true);
    const erased = await t.http().post('/v1/erasures').set(publisher.auth).send({ identifier: { email: members[1].email } }).expect(202);
    expect(erased.body).toMatchObject({ subjectKey: key, removedFrom: 1, buyersNotified: 3 });
    for (const buyer of [a.buyer, b.buyer]) {
      const list = await t.http().get('/v1/notices').set(buyer.auth).expect(200);
      expect(list.body.items.filter((n: any) => n.kind === 'erasure' && n.subjectKey === key)).toHaveLength(1);
    }
    const items = await t.connection.collection('deliveryItems').find({ key }).toArray();
    expect(items.length).toBeGreaterThanOrEqual(2);
    for (const item of items) {
      expect(item.ids).toBeUndefined();
      expect(item.traits).toBeUndefined();
      expect(item.erasedAt).toBeInstanceOf(Date);
    }
    // Proof survives: the buyer can still show it received the subject with valid consent at the time.
    const proof = await t.http().post(`/v1/deliveries/${da.id}/verify`).set(a.buyer.auth).send({ subjectKey: key }).expect(200);
    expect(proof.body).toMatchObject({ included: true, consentAtDelivery: { status: 'granted' } });
    const dl = await t.http().get(`/v1/deliveries/${da.id}/download`).set(a.buyer.auth).expect(200);
    expect(dl.text).not.toContain(key);
  });

  it('publishers cannot read notices', async () => {
    await t.http().get('/v1/notices').set(publisher.auth).expect(403);
  });
});

describe('CPM deliveries', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('deliver at most the purchased quantity', async () => {
    t = await createTestApp({ env: { MIN_SEGMENT_SIZE: '5' } });
    const admin = await anAdmin(t);
    const publisher = await aPublisher(t);
    const seg = await aSegmentOf(t, publisher, mk('cpm', 1030, { status: 'granted', purposes: FULL }));
    const listing = await anApprovedListingOf(t, publisher, admin, seg.segmentId, { pricing: { model: 'cpm', amount: 300, currency: 'eur' } });
    const { buyer, order } = await aPaidOrder(t, listing.id, undefined, 1000);
    const d = (await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson' }).expect(201)).body;
    expect(d.recordCount).toBe(1000);
    expect(d.manifest.excluded.over_quantity).toBe(30);
    expect(d.excludedNoConsent).toBe(0);
    const dl = await t.http().get(`/v1/deliveries/${d.id}/download`).set(buyer.auth).expect(200);
    expect(new Set(dl.text.trim().split('\n').map((l) => JSON.parse(l).key)).size).toBe(1000);
  });
});

describe('webhook deliveries', () => {
  const RECEIVER_IP = '127.0.0.2';
  // The "DNS" of this test: every name resolves to the local receiver, which the SSRF filter is told to allow.
  const lookup = ((_host: string, options: any, cb: any) => {
    if (typeof options === 'function') cb = options;
    if (options?.all) cb(null, [{ address: RECEIVER_IP, family: 4 }]);
    else cb(null, RECEIVER_IP, 4);
  }) as LookupFunction;
  const app = (pusherOptions: WebhookPusherOptions = {}) =>
    createTestApp({
      env: { MIN_SEGMENT_SIZE: '5', DELIVERY_ALLOW_INSECURE_WEBHOOKS: 'true', DELIVERY_WEBHOOK_MAX_ATTEMPTS: '5' },
      providers: [{ token: WEBHOOK_PUSHER_OPTIONS, value: { allowIPAddressList: [RECEIVER_IP], lookup, ...pusherOptions } }],
    });

  /** A receiver answering `status`, keeping what it was sent. */
  async function receiver(status: number) {
    const received: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, RECEIVER_IP, r));
    return {
      url: `http://hooks.buyer.test:${(server.address() as AddressInfo).port}/audex`,
      received,
      close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
    };
  }

  async function aWebhookDelivery(t: TestApp, url: string) {
    const admin = await anAdmin(t);
    const publisher = await aPublisher(t);
    const seg = await aSegmentOf(t, publisher, mk('hook', 6, { status: 'granted', purposes: FULL }));
    const listing = await anApprovedListingOf(t, publisher, admin, seg.segmentId);
    const { buyer, order } = await aPaidOrder(t, listing.id);
    const res = await t.http().post(`/v1/orders/${order.id}/deliveries`).set(buyer.auth).send({ format: 'ndjson', destination: { type: 'webhook', url } }).expect(201);
    return { buyer, delivery: res.body };
  }

  it('pushes a signed notice of the ready delivery and records the outcome', async () => {
    const rx = await receiver(200);
    const t = await app();
    try {
      const { buyer, delivery } = await aWebhookDelivery(t, rx.url);
      expect(delivery).toMatchObject({ status: 'ready', recordCount: 6, signingSecret: expect.any(String) });
      let push;
      for (let i = 0; i < 100 && !push; i++) {
        await new Promise((r) => setTimeout(r, 50));
        push = (await t.http().get(`/v1/deliveries/${delivery.id}`).set(buyer.auth).expect(200)).body.push;
      }
      expect(push).toMatchObject({ url: rx.url, ok: true, attempts: 1, status: 200 });
      expect(rx.received).toHaveLength(1);
      const [sent] = rx.received;
      expect(verifyAudexSignature(sent.headers['audex-signature'] as string, sent.body, delivery.signingSecret, 300)).toBe(true);
      expect(JSON.parse(sent.body.toString())).toMatchObject({ type: 'delivery.ready', delivery: { id: delivery.id, recordCount: 6 } });
      expect(sent.body.toString()).not.toContain(delivery.signingSecret);
    } finally {
      await t.close();
      await rx.close();
    }
  });

  it('on shutdown, ends a push waiting to retry and records it as interrupted before the database closes', async () => {
    const rx = await receiver(503);
    // A retry an hour away: only the shutdown can end the wait.
    const t = await app({ baseDelayMs: 3_600_000, maxDelayMs: 3_600_000 });
    const dbName = t.connection.name;
    const client = await MongoClient.connect(`${process.env.TEST_MONGODB_BASE}/${dbName}`);
    try {
      const { delivery } = await aWebhookDelivery(t, rx.url);
      for (let i = 0; i < 100 && rx.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(rx.received).toHaveLength(1);
      const t0 = Date.now();
      await t.app.close();
      expect(Date.now() - t0).toBeLessThan(10_000);
      const stored = await client.db(dbName).collection('deliveries').findOne({ _id: new ObjectId(String(delivery.id)) });
      expect(stored?.push).toMatchObject({ url: rx.url, ok: false, attempts: 1, error: { code: 'WEBHOOK_INTERRUPTED' } });
      expect(rx.received).toHaveLength(1);
    } finally {
      await client.db(dbName).dropDatabase().catch(() => undefined);
      await client.close();
      await rx.close();
    }
  });
});
