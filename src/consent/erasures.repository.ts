import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { Erasure } from './erasure.schema';

@Injectable()
export class ErasuresRepository {
  constructor(@InjectModel(Erasure.name) private readonly model: Model<Erasure>) {}

  /** Writes or refreshes the tombstone: a second erasure moves erasedAt forward. */
  async upsert(orgId: string, subjectKey: string, erasedAt: Date): Promise<void> {
    await this.model.collection.updateOne(
      { orgId: new Types.ObjectId(orgId), subjectKey },
      { $set: { erasedAt } },
      { upsert: true },
    );
  }

  /** erasedAt per key, for the keys of one ingest batch that have a tombstone. */
  async erasedAtByKeys(orgId: Types.ObjectId, keys: string[]): Promise<Map<string, Date>> {
    if (!keys.length) return new Map();
    const rows = await this.model.collection
      .find({ orgId, subjectKey: { $in: keys } }, { projection: { subjectKey: 1, erasedAt: 1 } })
      .toArray();
    return new Map(rows.map((r) => [r.subjectKey as string, r.erasedAt as Date]));
  }
}
