import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { OverlapQuery } from './overlap-query.schema';

@Injectable()
export class OverlapQueriesRepository {
  constructor(@InjectModel(OverlapQuery.name) private readonly model: Model<OverlapQuery>) {}

  /** Counts and the released estimate only; the submitted identifiers never reach this collection. */
  async record(row: Omit<OverlapQuery, '_id'>): Promise<void> {
    await this.model.create(row);
  }
}
