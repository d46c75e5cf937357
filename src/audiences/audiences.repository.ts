import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { type KeysetSort, keysetQuery } from '../common/pagination';
import { Audience } from './audience.schema';

export type NewAudience = Pick<Audience, 'name' | 'description' | 'source' | 'dataType'>;

@Injectable()
export class AudiencesRepository {
  /** Per audience, the last counter update queued in this process (see countSerially). */
  private readonly counterQueue = new Map<string, Promise<void>>();

  constructor(@InjectModel(Audience.name) private readonly model: Model<Audience>) {}

  async create(orgId: string, input: NewAudience): Promise<Audience> {
    const doc = await this.model.create({ ...input, orgId: new Types.ObjectId(orgId), subjectCount: 0 });
    return doc.toObject();
  }

  /** The audience if it belongs to orgId; another tenant's id reads as missing. */
  findOwned(orgId: string, id: string): Promise<Audience | null> {
    return this.model.findOne({ _id: new Types.ObjectId(id), orgId: new Types.ObjectId(orgId) }).lean<Audience>().exec();
  }

  findPage(orgId: string, sort: KeysetSort, limit: number, cursor?: string): Promise<Audience[]> {
    const q = keysetQuery(sort, cursor);
    // The keyset filter is built here from a decoded, type-checked cursor; mongoose's sanitizeFilter would refuse
    // its $lt, so this read goes to the driver.
    return this.model.collection
      .find({ ...q.filter, orgId: new Types.ObjectId(orgId) })
      .sort(q.sort)
      .limit(limit + 1)
      .toArray() as unknown as Promise<Audience[]>;
  }

  async deleteOwned(orgId: string, id: string): Promise<boolean> {
    const res = await this.model.deleteOne({ _id: new Types.ObjectId(id), orgId: new Types.ObjectId(orgId) }).exec();
    return res.deletedCount === 1;
  }

  async recordIngest(id: Types.ObjectId, inserted: number, at: Date): Promise<void> {
    await this.countSerially(id, () =>
      this.model.collection.updateOne({ _id: id }, { $inc: { subjectCount: inserted }, $set: { lastIngestAt: at, updatedAt: at } }),
    );
  }

  async setSubjectCount(id: Types.ObjectId, count: number): Promise<void> {
    await this.countSerially(id, () => this.model.collection.updateOne({ _id: id }, { $set: { subjectCount: count } }));
  }

  /**
   * Runs the audience's counter updates one at a time in this process. MongoDB applies `$inc` atomically, but
   * FerretDB reads and writes the document in two steps, so two uploads to one audience finishing batches at the
   * same moment lost one of the increments. FerretDB serves a single embedded instance; with several instances,
   * production runs on MongoDB, where the queue only orders what is atomic anyway.
   */
  private async countSerially(id: Types.ObjectId, write: () => Promise<unknown>): Promise<void> {
    const key = id.toHexString();
    const run = (this.counterQueue.get(key) ?? Promise.resolve()).then(write);
    const settled = run.then(() => undefined, () => undefined);
    this.counterQueue.set(key, settled);
    try {
      await run;
    } finally {
      if (this.counterQueue.get(key) === settled) this.counterQueue.delete(key);
    }
  }
}
