import { createHash } from 'node:crypto';
import type { TestApp } from './app';
import { type Actor, anAdvertiser } from './builders';
import { anApprovedListing } from './market';
import { aPayableSeller } from './payments';
import { aCheckoutSession, anEvent, sendEvent } from './stripe-events';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const emailKey = (email: string) => sha256(email.trim().toLowerCase());

export type ConsentSpec = { status: 'granted' | 'denied' | 'revoked'; purposes: number[]; at?: string } | null;

export interface Member {
  email: string;
  consent: ConsentSpec;
  traits?: Record<string, unknown>;
}

/** A publisher's audience filled through the HTTP ingest API, and a segment over its sport fans. */
export async function aSegmentOf(t: TestApp, publisher: Actor, members: Member[]): Promise<{ audienceId: string; segmentId: string }> {
  const audience = await t.http().post('/v1/audiences').set(publisher.auth).send({ name: 'readers', source: 'web', dataType: 'first_party' }).expect(201);
  const lines = members.map((m) =>
    JSON.stringify({
      email: m.email,
      traits: { interest: 'sport', country: 'FR', ...(m.traits ?? {}) },
      ...(m.consent ? { consent: { ...m.consent, at: m.consent.at ?? new Date().toISOString() } } : {}),
    }),
  );
  const up = await t
    .http()
    .post(`/v1/audiences/${audience.body.id}/records`)
    .set(publisher.auth)
    .set('Content-Type', 'application/x-ndjson')
    .send(`${lines.join('\n')}\n`)
    .expect(200);
  if (up.body.rejected !== 0) throw new Error(`ingest rejected lines: ${JSON.stringify(up.body.errors)}`);
  const seg = await t
    .http()
    .post('/v1/segments')
    .set(publisher.auth)
    .send({ name: 'sport fans', audienceIds: [audience.body.id], rules: { all: [{ trait: 'interest', op: 'eq', value: 'sport' }] } })
    .expect(201);
  return { audienceId: audience.body.id, segmentId: seg.body.id };
}

/** Lists the segment, has it approved, makes the seller payable, and returns the approved listing. */
export async function anApprovedListingOf(t: TestApp, publisher: Actor, admin: Actor, segmentId: string, overrides: Record<string, unknown> = {}) {
  await aPayableSeller(t, publisher);
  return anApprovedListing(t, publisher, admin, segmentId, { pricing: { model: 'flat', amount: 50_000, currency: 'eur' }, ...overrides });
}

/** An advertiser's order of the listing, paid through a signed checkout.session.completed webhook. */
export async function aPaidOrder(t: TestApp, listingId: string, buyer?: Actor, quantity?: number): Promise<{ buyer: Actor; order: any }> {
  const advertiser = buyer ?? (await anAdvertiser(t));
  const created = await t
    .http()
    .post('/v1/orders')
    .set(advertiser.auth)
    .send({ listingId, ...(quantity ? { quantity } : {}) })
    .expect(201);
  await sendEvent(t, anEvent('checkout.session.completed', aCheckoutSession(created.body))).expect(200);
  const order = await t.http().get(`/v1/orders/${created.body.id}`).set(advertiser.auth).expect(200);
  if (order.body.status !== 'paid') throw new Error(`order not paid: ${order.body.status}`);
  return { buyer: advertiser, order: order.body };
}
