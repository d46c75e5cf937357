import { createHash, randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { TestApp } from './app';
import type { Actor } from './builders';

/*
 * Audiences and subjects inserted directly, in exactly the shapes of src/audiences/*.schema.ts: a fixture for the
 * segment, listing and marketplace suites, which need states ingest cannot produce on demand (back-dated updates
 * for data-label lookback, consent without vendor consent, chosen keys). Ingest itself is tested through HTTP in
 * audiences/consent, and deliveries and the demo build their audiences with it (test/helpers/exchange.ts).
 */

export interface SeedSubject {
  key?: string;
  traits: Record<string, string | number | boolean | string[]>;
  /** Omitted: granted for purposes 1-4 with vendor consent. `null`: no consent recorded. */
  consent?: { status: 'granted' | 'denied' | 'revoked'; purposes: number[]; vendorConsent: boolean; at?: Date } | null;
  ids?: { emailSha256?: string; phoneSha256?: string; maid?: string };
  channels?: string[];
  updatedAt?: Date;
}

export interface SeedAudience {
  name?: string;
  source?: 'web' | 'mobile' | 'email' | 'crm' | 'call_center' | 'store' | 'partner';
  dataType?: 'first_party' | 'second_party' | 'third_party';
  lastIngestAt?: Date;
  subjects: SeedSubject[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export const GRANTED = { status: 'granted' as const, purposes: [1, 2, 3, 4], vendorConsent: true };

export async function seedAudienceWithSubjects(t: TestApp, publisher: Actor, spec: SeedAudience): Promise<{ audienceId: string; keys: string[] }> {
  const now = new Date();
  const orgId = new Types.ObjectId(publisher.organizationId);
  const audienceId = new Types.ObjectId();
  await t.connection.collection('audiences').insertOne({
    _id: audienceId,
    orgId,
    name: spec.name ?? `audience ${audienceId}`,
    source: spec.source ?? 'web',
    dataType: spec.dataType ?? 'first_party',
    subjectCount: spec.subjects.length,
    lastIngestAt: spec.lastIngestAt ?? now,
    createdAt: now,
    updatedAt: now,
  });
  const docs = spec.subjects.map((s) => {
    const key = s.key ?? sha256(`subject-${randomBytes(8).toString('hex')}@example.test`);
    const ids = s.ids ?? { emailSha256: key };
    const consent = s.consent === null ? undefined : { ...(s.consent ?? GRANTED), at: s.consent?.at ?? now, source: 'seed' };
    const content = { ids, traits: s.traits, consent: consent && { ...consent, at: consent.at.toISOString() } };
    return {
      _id: new Types.ObjectId(),
      orgId,
      audienceId,
      key,
      ids,
      traits: s.traits,
      ...(consent ? { consent } : {}),
      channels: s.channels ?? [spec.source ?? 'web'],
      contentHash: sha256(JSON.stringify(content)),
      createdAt: s.updatedAt ?? now,
      updatedAt: s.updatedAt ?? now,
    };
  });
  if (docs.length) await t.connection.collection('subjects').insertMany(docs);
  return { audienceId: String(audienceId), keys: docs.map((d) => d.key) };
}

/** `n` subjects built by `make(i)`. */
export function subjects(n: number, make: (i: number) => SeedSubject): SeedSubject[] {
  return Array.from({ length: n }, (_, i) => make(i));
}
