import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { type KeysetSort, keysetQuery } from '../common/pagination';
import { StateClaims } from '../common/state-claims';
import { op } from '../common/trusted';
import { Delivery, type DeliveryManifest, type PushOutcome } from './delivery.schema';
import { DeliveryItem } from './delivery-item.schema';

@Injectable()
export class DeliveriesRepository {
  constructor(
    @InjectModel(Delivery.name) private readonly model: Model<Delivery>,
    private readonly claims: StateClaims,
  ) {}

  async create(d: Pick<Delivery, 'orderId' | 'buyerOrgId' | 'sellerOrgId' | 'listingId' | 'format' | 'destinationType' | 'webhookUrl'>): Promise<Delivery> {
    return (await this.model.create({ ...d, status: 'building' })).toObject();
  }

  findForBuyer(id: string, buyerOrgId: string): Promise<Delivery | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.model.findOne({ _id: new Types.ObjectId(id), buyerOrgId: new Types.ObjectId(buyerOrgId) }).lean<Delivery>().exec();
  }

  findById(id: string): Promise<Delivery | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.model.findById(id).lean<Delivery>().exec();
  }

  findPageForBuyer(buyerOrgId: string, sort: KeysetSort, limit: number, cursor?: string): Promise<Delivery[]> {
    const q = keysetQuery(sort, cursor);
    return this.model
      .find({ ...q.filter, buyerOrgId: new Types.ObjectId(buyerOrgId) })
      .sort(q.sort)
      .limit(limit + 1)
      .lean<Delivery[]>()
      .exec();
  }

  markReady(id: Types.ObjectId, recordCount: number, excludedNoConsent: number, manifest: DeliveryManifest): Promise<Delivery | null> {
    return this.claims.transition(this.model, { _id: id, status: 'building' }, { $set: { status: 'ready', recordCount, excludedNoConsent, manifest } });
  }

  markFailed(id: Types.ObjectId): Promise<Delivery | null> {
    return this.claims.transition(this.model, { _id: id, status: 'building' }, { $set: { status: 'failed' } });
  }

  async recordPush(id: Types.ObjectId, push: PushOutcome): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { push } }).exec();
  }
}

export interface ItemToInsert {
  deliveryId: Types.ObjectId;
  buyerOrgId: Types.ObjectId;
  sellerOrgId: Types.ObjectId;
  key: string;
  consent: DeliveryItem['consent'];
  ids?: Record<string, string>;
  traits?: Record<string, unknown>;
}

@Injectable()
export class DeliveryItemsRepository {
  constructor(@InjectModel(DeliveryItem.name) private readonly model: Model<DeliveryItem>) {}

  /** Inserts a batch; a key already in the delivery (the same person in two audiences) is skipped. Returns how many were new. */
  async insertBatch(items: ItemToInsert[]): Promise<number> {
    if (items.length === 0) return 0;
    try {
      const res = await this.model.collection.insertMany(items as any[], { ordered: false });
      return res.insertedCount;
    } catch (e: any) {
      if (e?.code === 11000 || e?.writeErrors) {
        const dupOnly = (e.writeErrors ?? []).every((w: any) => w.code === 11000);
        if (dupOnly) return e.result?.insertedCount ?? e.insertedCount ?? items.length - (e.writeErrors?.length ?? 0);
      }
      throw e;
    }
  }

  /** Delivered keys in ascending order (for the manifest digest). */
  keysAscending(deliveryId: Types.ObjectId) {
    return this.model.find({ deliveryId }).select({ key: 1, _id: 0 }).sort({ key: 1 }).lean<{ key: string }[]>().cursor({ batchSize: 2000 });
  }

  /** What a download sends: items still deliverable (not erased or revoked since). */
  downloadable(deliveryId: Types.ObjectId) {
    return this.model
      .find({ deliveryId, erasedAt: op({ $exists: false }), revokedAt: op({ $exists: false }) })
      .select({ key: 1, ids: 1, traits: 1, _id: 0 })
      .lean<Pick<DeliveryItem, 'key' | 'ids' | 'traits'>[]>()
      .cursor({ batchSize: 2000 });
  }

  findOne(deliveryId: Types.ObjectId, key: string): Promise<DeliveryItem | null> {
    return this.model.findOne({ deliveryId, key }).lean<DeliveryItem>().exec();
  }

  /** Who received a subject of this seller: one row per delivery. */
  findRecipients(sellerOrgId: Types.ObjectId, key: string): Promise<Pick<DeliveryItem, 'deliveryId' | 'buyerOrgId'>[]> {
    return this.model.find({ sellerOrgId, key }).select({ deliveryId: 1, buyerOrgId: 1 }).lean<Pick<DeliveryItem, 'deliveryId' | 'buyerOrgId'>[]>().exec();
  }

  /** After an erasure only the proof stays: the key and the consent it was delivered under. */
  async stripErased(sellerOrgId: Types.ObjectId, key: string, at: Date): Promise<void> {
    await this.model.updateMany({ sellerOrgId, key }, { $set: { erasedAt: at }, $unset: { ids: 1, traits: 1 } }).exec();
  }

  async markRevoked(sellerOrgId: Types.ObjectId, key: string, at: Date): Promise<void> {
    await this.model.updateMany({ sellerOrgId, key }, { $set: { revokedAt: at } }).exec();
  }
}
