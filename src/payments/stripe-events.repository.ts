import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { op } from '../common/trusted';
import { StripeEventRecord } from './stripe-event.schema';

export type EventClaim = 'new' | 'processed' | 'unfinished';

@Injectable()
export class StripeEventsRepository implements OnModuleInit {
  constructor(@InjectModel(StripeEventRecord.name) private readonly model: Model<StripeEventRecord>) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  /**
   * Inserts the event record first. A duplicate id means the event was seen: 'processed' when it was fully
   * applied, 'unfinished' when an earlier delivery crashed (or is still running) between insert and apply; the
   * caller then re-applies, which is safe because every state change is idempotent.
   */
  async claim(id: string, type: string, at: Date): Promise<EventClaim> {
    try {
      await this.model.create({ _id: id, type, receivedAt: at });
      return 'new';
    } catch (e: any) {
      if (e?.code !== 11000) throw e;
    }
    const seen = await this.model.findById(id).lean<StripeEventRecord>().exec();
    return seen?.processedAt ? 'processed' : 'unfinished';
  }

  async markProcessed(id: string, at: Date): Promise<void> {
    await this.model.updateOne({ _id: id, processedAt: op({ $exists: false }) }, { $set: { processedAt: at } }).exec();
  }

  findById(id: string): Promise<StripeEventRecord | null> {
    return this.model.findById(id).lean<StripeEventRecord>().exec();
  }
}
