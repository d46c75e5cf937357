import { Injectable } from '@nestjs/common';
import { type NewConsentEvent, ConsentRepository } from '../../consent/consent.repository';
import { ErasuresRepository } from '../../consent/erasures.repository';
import { sameConsent } from '../../consent/tcf';
import { type Audience } from '../audience.schema';
import { AudiencesRepository } from '../audiences.repository';
import { type SubjectConsent } from '../subject.schema';
import { type StoredSubject, type SubjectWrite, SubjectsRepository } from '../subjects.repository';
import { subjectContentHash } from './content-hash';
import { type LineError, type ValidRecord } from './record';

export interface BatchContext {
  audience: Audience;
  /** replace: the record is the subject's full state (uploads); merge: traits and ids are added (collection). */
  mode: 'replace' | 'merge';
  source: 'ingest' | 'collect';
}

export interface BatchResult {
  inserted: number;
  updated: number;
  unchanged: number;
  errors: LineError[];
}

type Working = SubjectWrite & { dirty: boolean };

interface Classified extends BatchResult {
  working: Map<string, Working>;
  events: NewConsentEvent[];
}

/**
 * Applies one batch of validated records. Reading the stored state first would cost a collection scan per batch
 * on FerretDB (no lookup is answered from an index there), so the batch is first classified as if none of its keys
 * were stored and inserted with deterministic `_id`s; the unique indexes tell which keys were in fact stored. Only
 * for those is the stored state read (by `_id`), the records classified again against it in file order (a key
 * repeated in a file counts once as inserted, then as updated or unchanged: last wins), and the changed subjects
 * updated by `_id`. The consent changes then go to the ledger in one insert.
 */
@Injectable()
export class SubjectBatchWriter {
  constructor(
    private readonly subjects: SubjectsRepository,
    private readonly audiences: AudiencesRepository,
    private readonly ledger: ConsentRepository,
    private readonly erasures: ErasuresRepository,
  ) {}

  async write(ctx: BatchContext, records: ValidRecord[]): Promise<BatchResult> {
    if (!records.length) return { inserted: 0, updated: 0, unchanged: 0, errors: [] };
    const { audience } = ctx;
    const orgId = audience.orgId;
    const erased = await this.erasures.erasedAtByKeys(orgId, [...new Set(records.map((r) => r.key))]);
    const now = new Date();

    let batch = this.classify(ctx, records, erased, new Map(), now);
    const dirty = (c: Classified) => [...c.working.values()].filter((w) => w.dirty);
    const fresh = dirty(batch);
    const { inserted, existing } = await this.subjects.insertNew(orgId, audience._id, fresh, now);
    let created = inserted;
    let updates: Working[] = [];
    if (existing.size) {
      const stored = await this.subjects.findByKeys(audience._id, [...existing]);
      const isNewKey = (r: ValidRecord) => !existing.has(r.key);
      const newPart = this.classify(ctx, records.filter(isNewKey), erased, new Map(), now);
      const storedPart = this.classify(ctx, records.filter((r) => !isNewKey(r)), erased, stored, now);
      batch = {
        inserted: newPart.inserted + storedPart.inserted,
        updated: newPart.updated + storedPart.updated,
        unchanged: newPart.unchanged + storedPart.unchanged,
        errors: [...newPart.errors, ...storedPart.errors],
        working: storedPart.working,
        events: [...newPart.events, ...storedPart.events],
      };
      updates = dirty(storedPart);
      created += await this.subjects.updateExisting(orgId, audience._id, updates, now);
    }
    await this.ledger.append(batch.events);
    if (fresh.length > existing.size || updates.length) await this.audiences.recordIngest(audience._id, created, now);
    const { inserted: i, updated, unchanged, errors } = batch;
    return { inserted: i, updated, unchanged, errors };
  }

  /** Classifies the records in file order against `stored` (the keys' stored state; absent = not stored). */
  private classify(
    ctx: BatchContext,
    records: ValidRecord[],
    erased: Map<string, Date>,
    stored: Map<string, StoredSubject>,
    now: Date,
  ): Classified {
    const { audience } = ctx;
    const orgId = audience.orgId;
    const result: Classified = { inserted: 0, updated: 0, unchanged: 0, errors: [], working: new Map(), events: [] };
    const { working, events } = result;

    for (const rec of records) {
      const erasedAt = erased.get(rec.key);
      if (erasedAt && !(rec.consent?.status === 'granted' && rec.consent.at && rec.consent.at > erasedAt)) {
        result.errors.push({ line: rec.line, code: 'SUBJECT_ERASED', message: 'this subject was erased; only a record with consent granted after the erasure is accepted' });
        continue;
      }
      const prevStored = stored.get(rec.key);
      const prev: Working | undefined =
        working.get(rec.key) ?? (prevStored ? { ...prevStored, channels: [], dirty: false } : undefined);

      let consent: SubjectConsent | undefined = prev?.consent;
      if (rec.consent && !sameConsent(rec.consent, prev?.consent)) {
        consent = { ...rec.consent, at: rec.consent.at ?? now, source: ctx.source };
        if (!consent.tcStringHash) delete consent.tcStringHash;
        events.push({
          orgId,
          audienceId: audience._id,
          subjectKey: rec.key,
          status: consent.status,
          purposes: consent.purposes,
          vendorConsent: consent.vendorConsent,
          ...(consent.tcStringHash ? { tcStringHash: consent.tcStringHash } : {}),
          source: ctx.source,
          at: consent.at,
          recordedAt: now,
        });
      }
      const merge = ctx.mode === 'merge' && prev;
      const ids = merge ? { ...prev.ids, ...rec.ids } : rec.ids;
      const traits = merge ? { ...prev.traits, ...rec.traits } : rec.traits;
      const contentHash = subjectContentHash({ ids, traits, consent });
      const channel = rec.channel ?? audience.source;
      const changed = !prev || prev.contentHash !== contentHash;
      if (!prev) result.inserted++;
      else if (changed) result.updated++;
      else result.unchanged++;

      const channels = prev?.channels.includes(channel) ? prev.channels : [...(prev?.channels ?? []), channel];
      const lastSeenAt = rec.seenAt && (!prev?.lastSeenAt || rec.seenAt > prev.lastSeenAt) ? rec.seenAt : prev?.lastSeenAt;
      // A touchpoint is written even when the content is the same: it adds a channel and a time.
      const dirty = (prev?.dirty ?? false) || changed || !!rec.seenAt;
      working.set(rec.key, { ...(prev?._id !== undefined ? { _id: prev._id } : {}), key: rec.key, ids, traits, consent, contentHash, channels, lastSeenAt, dirty });
    }

    return result;
  }
}

