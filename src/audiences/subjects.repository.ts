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

  /** Upserts one batch; returns how many documents were created. */
  async upsertBatch(orgId: Types.ObjectId, audienceId: Types.ObjectId, writes: SubjectWrite[], now: Date): Promise<number> {
    if (!writes.length) return 0;
    const ops: AnyBulkWriteOperation[] = writes.map((w) => {
      const set: Record<string, unknown> = { ids: w.ids, traits: w.traits, contentHash: w.contentHash, updatedAt: now };
      if (w.consent) set.consent = w.consent;
      const update: Record<string, unknown> = {
        $set: set,
        $setOnInsert: { orgId, createdAt: now },
        $addToSet: { channels: { $each: w.channels } },
      };
      if (w.lastSeenAt) update.$max = { lastSeenAt: w.lastSeenAt };
      return { updateOne: { filter: { audienceId, key: w.key }, update, upsert: true } };
    });
    const res = await this.model.collection.bulkWrite(ops as any, { ordered: false });
    return res.upsertedCount;
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
