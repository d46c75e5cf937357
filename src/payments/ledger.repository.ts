import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { LedgerEntry } from './ledger-entry.schema';

const isDuplicateKey = (e: any) => e?.code === 11000;

/** Appends only; the unique (orderId, kind) index makes a replayed money movement a no-op. */
@Injectable()
export class LedgerRepository implements OnModuleInit {
  constructor(@InjectModel(LedgerEntry.name) private readonly model: Model<LedgerEntry>) {}

  /** The unique index must exist before the first webhook, or concurrent replays could both insert. */
  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  /** True when this call wrote the entry, false when it was already there. */
  async appendOnce(entry: Omit<LedgerEntry, '_id'>): Promise<boolean> {
    try {
      await this.model.create(entry);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  findByOrder(orderId: Types.ObjectId | string): Promise<LedgerEntry[]> {
    return this.model.find({ orderId: new Types.ObjectId(String(orderId)) }).sort({ at: 1, _id: 1 }).lean<LedgerEntry[]>().exec();
  }
}
