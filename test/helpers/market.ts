import type { TestApp } from './app';
import type { Actor } from './builders';
import { type SeedAudience, seedAudienceWithSubjects, subjects } from './seed';

/** An audience of `consented` consenting members (plus `unconsented` without consent) and a segment over all of them. */
export async function aSegment(
  t: TestApp,
  publisher: Actor,
  opts: { consented?: number; unconsented?: number; country?: string | ((i: number) => string); audience?: Partial<SeedAudience> } = {},
): Promise<{ id: string; audienceId: string; size: number; consentedSize: number }> {
  const consented = opts.consented ?? 120;
  const unconsented = opts.unconsented ?? 0;
  const country = (i: number) => (typeof opts.country === 'function' ? opts.country(i) : (opts.country ?? 'CMR'));
  const { audienceId } = await seedAudienceWithSubjects(t, publisher, {
    ...opts.audience,
    subjects: [
      ...subjects(consented, (i) => ({ traits: { interests: ['sport'], age: 20 + (i % 40), country: country(i) } })),
      ...subjects(unconsented, (i) => ({ traits: { interests: ['sport'], age: 30, country: country(i) }, consent: null })),
    ],
  });
  const res = await t
    .http()
    .post('/v1/segments')
    .set(publisher.auth)
    .send({ name: `sport fans ${audienceId}`, audienceIds: [audienceId], rules: { all: [{ trait: 'interests', op: 'eq', value: 'sport' }] } })
    .expect(201);
  return { id: res.body.id, audienceId, size: res.body.size, consentedSize: res.body.consentedSize };
}

export function listingBody(segmentId: string, overrides: Record<string, unknown> = {}) {
  return {
    segmentId,
    title: 'Football fans in Cameroon',
    description: 'People who read sport news weekly.',
    taxonomyIds: [607, 663],
    pricing: { model: 'cpm', amount: 250, currency: 'eur' },
    licenseDays: 30,
    ...overrides,
  };
}

export async function aListing(t: TestApp, publisher: Actor, segmentId: string, overrides: Record<string, unknown> = {}) {
  const res = await t.http().post('/v1/listings').set(publisher.auth).send(listingBody(segmentId, overrides)).expect(201);
  return res.body;
}

export async function aSubmittedListing(t: TestApp, publisher: Actor, segmentId: string, overrides: Record<string, unknown> = {}) {
  const l = await aListing(t, publisher, segmentId, overrides);
  return (await t.http().post(`/v1/listings/${l.id}/submit`).set(publisher.auth).expect(200)).body;
}

export async function anApprovedListing(t: TestApp, publisher: Actor, admin: Actor, segmentId: string, overrides: Record<string, unknown> = {}) {
  const l = await aSubmittedListing(t, publisher, segmentId, overrides);
  return (await t.http().post(`/v1/admin/listings/${l.id}/approve`).set(admin.auth).expect(200)).body;
}
