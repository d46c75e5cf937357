import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { PrivacySpend } from './privacy-spend.schema';

@Injectable()
export class PrivacySpendsRepository {
  constructor(@InjectModel(PrivacySpend.name) private readonly model: Model<PrivacySpend>) {}

  countFor(orgId: string, listingId: string): Promise<number> {
    return this.model.countDocuments({ orgId: new Types.ObjectId(orgId), listingId: new Types.ObjectId(listingId) }).exec();
  }

  /** Inserts the slot; false when it is already taken (unique `_id`). */
  async claimSlot(orgId: string, listingId: string, slot: number, epsilon: number): Promise<boolean> {
    try {
      await this.model.create({
        _id: `${orgId}:${listingId}:${slot}`,
        orgId: new Types.ObjectId(orgId),
        listingId: new Types.ObjectId(listingId),
        slot,
        epsilon,
        at: new Date(),
      });
      return true;
    } catch (e: any) {
      if (e?.code === 11000) return false;
      throw e;
    }
  }
}
