import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { ConsentEvent } from './consent-event.schema';

export type NewConsentEvent = Omit<ConsentEvent, '_id'>;

/** The consentEvents ledger: append and read, nothing else. */
@Injectable()
export class ConsentRepository {
  constructor(@InjectModel(ConsentEvent.name) private readonly model: Model<ConsentEvent>) {}

  async append(events: NewConsentEvent[]): Promise<void> {
    if (!events.length) return;
    await this.model.collection.insertMany(events.map((e) => ({ _id: new Types.ObjectId(), ...e })), { ordered: false });
  }

  /** Oldest first, capped at `limit` most recent. */
  async history(orgId: string, subjectKey: string, limit: number): Promise<ConsentEvent[]> {
    const docs = await this.model
      .find({ orgId: new Types.ObjectId(orgId), subjectKey })
      .sort({ recordedAt: -1, _id: -1 })
      .limit(limit)
      .lean<ConsentEvent[]>()
      .exec();
    return docs.reverse();
  }

  latest(orgId: string, subjectKey: string): Promise<ConsentEvent | null> {
    return this.model
      .findOne({ orgId: new Types.ObjectId(orgId), subjectKey })
      .sort({ recordedAt: -1, _id: -1 })
      .lean<ConsentEvent>()
      .exec();
  }
}
