import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { type KeysetSort, keysetQuery } from '../common/pagination';
import { trustFilter } from './rules/trusted-filter';
import { Segment } from './segment.schema';

@Injectable()
export class SegmentsRepository {
  constructor(@InjectModel(Segment.name) private readonly model: Model<Segment>) {}

  async create(data: Omit<Segment, '_id' | 'createdAt' | 'updatedAt'>): Promise<Segment> {
    return (await this.model.create(data)).toObject();
  }

  findOwned(orgId: string, id: string): Promise<Segment | null> {
    return this.model.findOne({ _id: new Types.ObjectId(id), orgId: new Types.ObjectId(orgId) }).lean<Segment>().exec();
  }

  /** Unscoped read, for services acting for a buyer of the segment (delivery, matching). */
  findById(id: Types.ObjectId | string): Promise<Segment | null> {
    return this.model.findById(id).lean<Segment>().exec();
  }

  findPage(orgId: string, sort: KeysetSort, limit: number, cursor?: string): Promise<Segment[]> {
    const q = keysetQuery(sort, cursor);
    return this.model
      .find(trustFilter({ ...q.filter, orgId: new Types.ObjectId(orgId) }))
      .sort(q.sort)
      .limit(limit + 1)
      .lean<Segment[]>()
      .exec();
  }

  setSizes(id: Types.ObjectId, size: number, consentedSize: number, computedAt: Date): Promise<Segment | null> {
    return this.model
      .findOneAndUpdate({ _id: id }, { $set: { size, consentedSize, computedAt } }, { returnDocument: 'after' })
      .lean<Segment>()
      .exec();
  }
}
