import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { type ConsentChangeGroup, type ConsentEvent, ConsentLedgerEntry } from './consent-event.schema';

export type NewConsentEvent = ConsentEvent;

/** Subject keys per ledger entry at most (about 70 bytes each: an entry stays well under a megabyte). */
export const LEDGER_ENTRY_MAX_KEYS = 10_000;

interface EntryDraft {
  orgId: Types.ObjectId;
  recordedAt: Date;
  groups: Map<string, ConsentChangeGroup>;
  keys: Set<string>;
}

const groupKey = (e: ConsentEvent) =>
  JSON.stringify([String(e.audienceId ?? ''), e.status, e.purposes, e.vendorConsent, e.tcStringHash ?? '', e.source, e.at.getTime()]);

/**
 * The consent ledger: append and read, nothing else. Events appended together become entries of groups (one
 * group per distinct state); a key that changes twice in one append starts a new entry, so each entry holds at
 * most one change per subject and entries in (recordedAt, _id) order are the subject's history in order.
 */
@Injectable()
export class ConsentRepository {
  constructor(@InjectModel(ConsentLedgerEntry.name) private readonly model: Model<ConsentLedgerEntry>) {}

  async append(events: NewConsentEvent[]): Promise<void> {
    if (!events.length) return;
    const entries: EntryDraft[] = [];
    let cur: EntryDraft | undefined;
    for (const e of events) {
      const orgId = new Types.ObjectId(String(e.orgId));
      if (
        !cur || cur.keys.has(e.subjectKey) || cur.keys.size >= LEDGER_ENTRY_MAX_KEYS ||
        !cur.orgId.equals(orgId) || cur.recordedAt.getTime() !== e.recordedAt.getTime()
      ) {
        cur = { orgId, recordedAt: e.recordedAt, groups: new Map(), keys: new Set() };
        entries.push(cur);
      }
      cur.keys.add(e.subjectKey);
      const k = groupKey(e);
      let g = cur.groups.get(k);
      if (!g) {
        g = {
          ...(e.audienceId ? { audienceId: e.audienceId } : {}),
          status: e.status, purposes: e.purposes, vendorConsent: e.vendorConsent,
          ...(e.tcStringHash ? { tcStringHash: e.tcStringHash } : {}),
          source: e.source, at: e.at, subjectKeys: [],
        };
        cur.groups.set(k, g);
      }
      g.subjectKeys.push(e.subjectKey);
    }
    // ObjectIds made here increase in order, so (recordedAt, _id) keeps the append order.
    const docs = entries.map((d) => ({ _id: new Types.ObjectId(), orgId: d.orgId, recordedAt: d.recordedAt, groups: [...d.groups.values()] }));
    await this.model.collection.insertMany(docs, { ordered: true });
  }

  /** Oldest first, capped at `limit` most recent. */
  async history(orgId: string, subjectKey: string, limit: number): Promise<ConsentEvent[]> {
    return (await this.newestFirst(orgId, subjectKey, limit)).reverse();
  }

  async latest(orgId: string, subjectKey: string): Promise<ConsentEvent | null> {
    return (await this.newestFirst(orgId, subjectKey, 1))[0] ?? null;
  }

  private async newestFirst(orgId: string, subjectKey: string, limit: number): Promise<ConsentEvent[]> {
    const entries = (await this.model.collection
      .find({ orgId: new Types.ObjectId(orgId), 'groups.subjectKeys': subjectKey })
      .sort({ recordedAt: -1, _id: -1 })
      .limit(limit)
      .toArray()) as unknown as ConsentLedgerEntry[];
    const events: ConsentEvent[] = [];
    for (const entry of entries) {
      const g = entry.groups.find((x) => x.subjectKeys.includes(subjectKey));
      if (!g) continue;
      const { subjectKeys: _keys, ...state } = g;
      events.push({ ...state, orgId: entry.orgId, subjectKey, recordedAt: entry.recordedAt });
    }
    return events;
  }
}
