import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { type KeysetSort, keysetQuery } from '../common/pagination';
import { StateClaims } from '../common/state-claims';
import { Notice } from './notice.schema';

@Injectable()
export class NoticesRepository {
  constructor(
    @InjectModel(Notice.name) private readonly model: Model<Notice>,
    private readonly claims: StateClaims,
  ) {}

  /** One notice per buyer and event: a replayed event finds the existing one (null). */
  async insertOnce(n: Omit<Notice, 'status' | 'rev'>): Promise<Notice | null> {
    try {
      return (await this.model.create({ ...n, status: 'pending' })).toObject();
    } catch (e: any) {
      if (e?.code === 11000) return null;
      throw e;
    }
  }

  findPage(buyerOrgId: string, status: Notice['status'] | undefined, sort: KeysetSort, limit: number, cursor?: string): Promise<Notice[]> {
    const q = keysetQuery(sort, cursor);
    return this.model
      .find({ ...q.filter, buyerOrgId: new Types.ObjectId(buyerOrgId), ...(status ? { status } : {}) })
      .sort(q.sort)
      .limit(limit + 1)
      .lean<Notice[]>()
      .exec();
  }

  findForBuyer(id: string, buyerOrgId: string): Promise<Notice | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.model.findOne({ _id: new Types.ObjectId(id), buyerOrgId: new Types.ObjectId(buyerOrgId) }).lean<Notice>().exec();
  }

  acknowledge(id: Types.ObjectId, by: Types.ObjectId, at: Date): Promise<Notice | null> {
    return this.claims.transition(this.model, { _id: id, status: 'pending' }, { $set: { status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: by } });
  }

  async recordPush(id: Types.ObjectId, push: Notice['push']): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { push } }).exec();
  }
}
