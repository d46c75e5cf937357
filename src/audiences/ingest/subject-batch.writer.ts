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

type Working = StoredSubject & { channels: string[]; lastSeenAt?: Date; dirty: boolean; isNew: boolean };

/**
 * Applies one batch of validated records: reads the stored state of the batch's keys and their erasure
 * tombstones, classifies each record against it in file order (so a key repeated in a file counts once as
 * inserted, then as updated or unchanged: last wins), then writes the changed subjects in one unordered bulk
 * upsert and the consent changes in one ledger insert.
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
    const result: BatchResult = { inserted: 0, updated: 0, unchanged: 0, errors: [] };
    if (!records.length) return result;
    const { audience } = ctx;
    const orgId = audience.orgId;
    const keys = [...new Set(records.map((r) => r.key))];
    const [stored, erased] = await Promise.all([
      this.subjects.findByKeys(audience._id, keys),
      this.erasures.erasedAtByKeys(orgId, keys),
    ]);
    const now = new Date();
    const working = new Map<string, Working>();
    const events: NewConsentEvent[] = [];

    for (const rec of records) {
      const erasedAt = erased.get(rec.key);
      if (erasedAt && !(rec.consent?.status === 'granted' && rec.consent.at && rec.consent.at > erasedAt)) {
        result.errors.push({ line: rec.line, code: 'SUBJECT_ERASED', message: 'this subject was erased; only a record with consent granted after the erasure is accepted' });
        continue;
      }
      const prevStored = stored.get(rec.key);
      const prev: Working | undefined =
        working.get(rec.key) ?? (prevStored ? { ...prevStored, channels: [], dirty: false, isNew: false } : undefined);

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
      working.set(rec.key, { key: rec.key, ids, traits, consent, contentHash, channels, lastSeenAt, dirty, isNew: prev ? prev.isNew : true });
    }

    const writes: SubjectWrite[] = [...working.values()].filter((w) => w.dirty).map(({ dirty: _d, ...w }) => w);
    const created = await this.subjects.upsertBatch(orgId, audience._id, writes, now);
    await this.ledger.append(events);
    if (writes.length) await this.audiences.recordIngest(audience._id, created, now);
    return result;
  }
}

