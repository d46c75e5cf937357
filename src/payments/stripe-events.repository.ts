import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { op } from '../common/trusted';
import { StripeEventRecord } from './stripe-event.schema';

export type EventClaim = 'new' | 'processed' | 'in_progress' | 'unfinished';

@Injectable()
export class StripeEventsRepository implements OnModuleInit {
  constructor(@InjectModel(StripeEventRecord.name) private readonly model: Model<StripeEventRecord>) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  /**
   * Inserts the event record first; the unique _id makes exactly one delivery the applier. A duplicate id means
   * the event was seen: 'processed' when fully applied; 'in_progress' when another delivery claimed it less than
   * `leaseMs` ago and has not finished (the caller asks Stripe to retry later); 'unfinished' when that delivery
   * evidently crashed between insert and apply, so the caller re-applies (every state change is idempotent).
   */
  async claim(id: string, type: string, at: Date, leaseMs: number): Promise<EventClaim> {
    try {
      await this.model.create({ _id: id, type, receivedAt: at });
      return 'new';
    } catch (e: any) {
      if (e?.code !== 11000) throw e;
    }
    const seen = await this.model.findById(id).lean<StripeEventRecord>().exec();
    if (!seen || seen.processedAt) return 'processed';
    return at.getTime() - new Date(seen.receivedAt).getTime() < leaseMs ? 'in_progress' : 'unfinished';
  }

  async markProcessed(id: string, at: Date): Promise<void> {
    await this.model.updateOne({ _id: id, processedAt: op({ $exists: false }) }, { $set: { processedAt: at } }).exec();
  }

  findById(id: string): Promise<StripeEventRecord | null> {
    return this.model.findById(id).lean<StripeEventRecord>().exec();
  }
}
