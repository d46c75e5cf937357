import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type AnyBulkWriteOperation, type Model, Types } from 'mongoose';
import { type HashedIds } from '../privacy/identifiers';
import { type Traits } from '../privacy/traits';
import { Subject, type SubjectConsent } from './subject.schema';

/** What ingest needs to know about a stored subject to classify and merge an incoming record. */
export interface StoredSubject {
  key: string;
  ids: HashedIds;
  traits: Traits;
  consent?: SubjectConsent;
  contentHash: string;
}

export interface ErasureMatch {
  _id: Types.ObjectId;
  audienceId: Types.ObjectId;
  key: string;
  ids: HashedIds;
}

export interface SubjectWrite {
  key: string;
  ids: HashedIds;
  traits: Traits;
  consent?: SubjectConsent;
  contentHash: string;
  channels: string[];
  lastSeenAt?: Date;
  /** Not stored when the batch was read. */
  isNew: boolean;
}

/**
 * Every mongoose call on `subjects`. The ingest hot path uses the driver collection directly: one find and one
 * unordered bulkWrite per batch, keyed on the unique (audienceId, key) index.
 */
@Injectable()
export class SubjectsRepository {
  constructor(@InjectModel(Subject.name) private readonly model: Model<Subject>) {}

  async findByKeys(audienceId: Types.ObjectId, keys: string[]): Promise<Map<string, StoredSubject>> {
    if (!keys.length) return new Map();
    const rows = await this.model.collection
      .find({ audienceId, key: { $in: keys } }, { projection: { _id: 0, key: 1, ids: 1, traits: 1, consent: 1, contentHash: 1 } })
      .toArray();
    return new Map(rows.map((r) => [r.key as string, r as unknown as StoredSubject]));
  }

  findOne(audienceId: Types.ObjectId, key: string): Promise<StoredSubject | null> {
    return this.model.collection.findOne(
      { audienceId, key },
      { projection: { _id: 0, key: 1, ids: 1, traits: 1, consent: 1, contentHash: 1 } },
    ) as Promise<StoredSubject | null>;
  }

  /**
   * Writes one batch; returns how many documents were created. Subjects not seen by the batch's read are
   * inserted (cheap everywhere, and FerretDB's updates with a non-_id filter are scans); the rest are upserted
   * on (audienceId, key). If a concurrent upload inserted one of the keys first, the inserts are redone as
   * idempotent upserts.
   */
  async upsertBatch(orgId: Types.ObjectId, audienceId: Types.ObjectId, writes: SubjectWrite[], now: Date): Promise<number> {
    const upsertOp = (w: SubjectWrite): AnyBulkWriteOperation => {
      const set: Record<string, unknown> = { ids: w.ids, traits: w.traits, contentHash: w.contentHash, updatedAt: now };
      if (w.consent) set.consent = w.consent;
      const update: Record<string, unknown> = {
        $set: set,
        $setOnInsert: { orgId, createdAt: now },
        $addToSet: { channels: { $each: w.channels } },
      };
      if (w.lastSeenAt) update.$max = { lastSeenAt: w.lastSeenAt };
      return { updateOne: { filter: { audienceId, key: w.key }, update, upsert: true } };
    };
    const fresh = writes.filter((w) => w.isNew);
    const existing = writes.filter((w) => !w.isNew);
    let created = 0;
    if (existing.length) {
      created += (await this.model.collection.bulkWrite(existing.map(upsertOp) as any, { ordered: false })).upsertedCount;
    }
    if (fresh.length) {
      const docs = fresh.map((w) => ({
        _id: new Types.ObjectId(), orgId, audienceId, key: w.key, ids: w.ids, traits: w.traits,
        ...(w.consent ? { consent: w.consent } : {}), channels: w.channels, contentHash: w.contentHash,
        ...(w.lastSeenAt ? { lastSeenAt: w.lastSeenAt } : {}), createdAt: now, updatedAt: now,
      }));
      try {
        created += (await this.model.collection.insertMany(docs, { ordered: false })).insertedCount;
      } catch (e) {
        if ((e as { code?: number }).code !== 11000) throw e;
        created += (e as { result?: { insertedCount?: number } }).result?.insertedCount ?? 0;
        created += (await this.model.collection.bulkWrite(fresh.map(upsertOp) as any, { ordered: false })).upsertedCount;
      }
    }
    return created;
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

  async deleteByIds(ids: Types.ObjectId[]): Promise<void> {
    for (const _id of ids) await this.model.collection.deleteOne({ _id });
  }

  countByAudience(audienceId: Types.ObjectId): Promise<number> {
    return this.model.collection.countDocuments({ audienceId });
  }
}
