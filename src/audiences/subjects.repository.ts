import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { type HashedIds } from '../privacy/identifiers';
import { type Traits } from '../privacy/traits';
import { Subject, type SubjectConsent } from './subject.schema';

/**
 * A subject's `_id`: `<audienceId hex>:<key>`, so a subject's existence is decided by the `_id` unique index on
 * insert (FerretDB 1.24 on SQLite answers no lookup from an index, but enforces unique indexes on insert).
 * Subjects stored before this scheme keep their ObjectId `_id`; every lookup falls back to (audienceId, key).
 */
export type SubjectId = string | Types.ObjectId;
export const subjectId = (audienceId: Types.ObjectId, key: string): string => `${audienceId.toHexString()}:${key}`;

/** What ingest needs to know about a stored subject to classify and merge an incoming record. */
export interface StoredSubject {
  _id?: SubjectId;
  key: string;
  ids: HashedIds;
  traits: Traits;
  consent?: SubjectConsent;
  contentHash: string;
}

export interface ErasureMatch {
  _id: SubjectId;
  audienceId: Types.ObjectId;
  key: string;
  ids: HashedIds;
}

export interface SubjectWrite {
  /** The stored document's _id, when it was read; else the deterministic one. */
  _id?: SubjectId;
  key: string;
  ids: HashedIds;
  traits: Traits;
  consent?: SubjectConsent;
  contentHash: string;
  channels: string[];
  lastSeenAt?: Date;
}

export interface InsertOutcome {
  inserted: number;
  /** Keys already stored (the insert hit the `_id` or the (audienceId, key) unique index). */
  existing: Set<string>;
}

const STATE_PROJECTION = { _id: 1, key: 1, ids: 1, traits: 1, consent: 1, contentHash: 1 } as const;
/** Up to this many keys are read with one `_id` lookup each (SQL-side on FerretDB), more with one `$in` query. */
const POINT_READS_MAX = 16;

/**
 * Every mongoose call on `subjects`. The ingest hot path uses the driver collection directly: per batch one
 * unordered insertMany with deterministic `_id`s (the duplicate-key errors say which keys exist), then, only for
 * those, one read by `_id` and one unordered bulkWrite of updates by `_id`.
 */
@Injectable()
export class SubjectsRepository {
  constructor(@InjectModel(Subject.name) private readonly model: Model<Subject>) {}

  /** Stored state of the given keys of one audience, by deterministic `_id`, then by (audienceId, key) for the rest. */
  async findByKeys(audienceId: Types.ObjectId, keys: string[]): Promise<Map<string, StoredSubject>> {
    const found = new Map<string, StoredSubject>();
    if (!keys.length) return found;
    const coll = this.model.collection;
    const ids = keys.map((k) => subjectId(audienceId, k));
    const rows =
      ids.length <= POINT_READS_MAX
        ? (await Promise.all(ids.map((_id) => coll.findOne({ _id } as object, { projection: STATE_PROJECTION })))).filter((r) => r !== null)
        : await coll.find({ _id: { $in: ids } } as object, { projection: STATE_PROJECTION }).toArray();
    for (const r of rows) found.set(r.key as string, r as unknown as StoredSubject);
    const legacy = keys.filter((k) => !found.has(k));
    if (legacy.length) {
      const more = await coll.find({ audienceId, key: { $in: legacy } }, { projection: STATE_PROJECTION }).toArray();
      for (const r of more) found.set(r.key as string, r as unknown as StoredSubject);
    }
    return found;
  }

  findOne(audienceId: Types.ObjectId, key: string): Promise<StoredSubject | null> {
    return this.model.collection.findOne(
      { audienceId, key },
      { projection: { _id: 0, key: 1, ids: 1, traits: 1, consent: 1, contentHash: 1 } },
    ) as Promise<StoredSubject | null>;
  }

  /**
   * Inserts subjects not known to be stored, with deterministic `_id`s, in one unordered insertMany. Keys whose
   * insert hit a unique index (already stored, or inserted meanwhile by a concurrent upload) are returned in
   * `existing`; any other error is thrown.
   */
  async insertNew(orgId: Types.ObjectId, audienceId: Types.ObjectId, writes: SubjectWrite[], now: Date): Promise<InsertOutcome> {
    const existing = new Set<string>();
    if (!writes.length) return { inserted: 0, existing };
    const docs = writes.map((w) => ({
      _id: subjectId(audienceId, w.key), orgId, audienceId, key: w.key, ids: w.ids, traits: w.traits,
      ...(w.consent ? { consent: w.consent } : {}), channels: w.channels, contentHash: w.contentHash,
      ...(w.lastSeenAt ? { lastSeenAt: w.lastSeenAt } : {}), createdAt: now, updatedAt: now,
    }));
    try {
      const res = await this.model.collection.insertMany(docs as any[], { ordered: false });
      return { inserted: res.insertedCount, existing };
    } catch (e) {
      const err = e as { code?: number; writeErrors?: unknown; result?: { insertedCount?: number } };
      const writeErrors = (Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : []) as { index: number; code: number }[];
      if (!writeErrors.length || writeErrors.some((w) => w.code !== 11000)) throw e;
      for (const w of writeErrors) existing.add(writes[w.index].key);
      return { inserted: err.result?.insertedCount ?? writes.length - existing.size, existing };
    }
  }

  /**
   * Updates stored subjects by `_id` in one unordered bulkWrite (FerretDB runs a non-`_id` update filter in Go
   * over the collection). Upserts, so a subject erased between the read and this write is created again, as an
   * insert would have; returns how many documents were created.
   */
  async updateExisting(orgId: Types.ObjectId, audienceId: Types.ObjectId, writes: SubjectWrite[], now: Date): Promise<number> {
    if (!writes.length) return 0;
    const ops = writes.map((w) => {
      const set: Record<string, unknown> = { ids: w.ids, traits: w.traits, contentHash: w.contentHash, updatedAt: now };
      if (w.consent) set.consent = w.consent;
      const update: Record<string, unknown> = {
        $set: set,
        $setOnInsert: { orgId, audienceId, key: w.key, createdAt: now },
        $addToSet: { channels: { $each: w.channels } },
      };
      if (w.lastSeenAt) update.$max = { lastSeenAt: w.lastSeenAt };
      return { updateOne: { filter: { _id: w._id ?? subjectId(audienceId, w.key) }, update, upsert: true } };
    });
    return (await this.model.collection.bulkWrite(ops as any, { ordered: false })).upsertedCount;
  }

  async updateConsent(audienceId: Types.ObjectId, key: string, consent: SubjectConsent, contentHash: string, now: Date): Promise<void> {
    await this.model.collection.updateOne({ audienceId, key }, { $set: { consent, contentHash, updatedAt: now } });
  }

  async deleteByAudience(audienceId: Types.ObjectId): Promise<void> {
    await this.model.collection.deleteMany({ audienceId });
  }

  /** The org's subjects for one person: by key, or by the hashed identifier stored in ids. */
  async findForErasure(orgId: Types.ObjectId, keys: string[], ids: HashedIds[]): Promise<ErasureMatch[]> {
    const or: Record<string, unknown>[] = keys.map((key) => ({ key }));
    for (const i of ids) {
      if (i.emailSha256) or.push({ 'ids.emailSha256': i.emailSha256 });
      if (i.phoneSha256) or.push({ 'ids.phoneSha256': i.phoneSha256 });
      if (i.maid) or.push({ 'ids.maid': i.maid });
    }
    const rows = await this.model.collection
      .find({ orgId, $or: or }, { projection: { _id: 1, audienceId: 1, key: 1, ids: 1 } })
      .toArray();
    return rows as unknown as ErasureMatch[];
  }

  async deleteByIds(ids: SubjectId[]): Promise<void> {
    for (const _id of ids) await this.model.collection.deleteOne({ _id } as object);
  }

  countByAudience(audienceId: Types.ObjectId): Promise<number> {
    return this.model.collection.countDocuments({ audienceId });
  }
}
