import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, type Model, type UpdateQuery } from 'mongoose';
import { op } from './trusted';

/**
 * Compare-and-set for state changes that must happen once, on MongoDB and on FerretDB alike.
 *
 * MongoDB applies `updateOne({_id, status: 'x'}, …)` atomically, but FerretDB (tests, the embedded default)
 * reads and writes in separate steps, so two concurrent conditional updates can both succeed. A unique insert
 * is atomic on both, so each transition first claims `<collection>:<id>:<rev>` in `stateClaims`; only the
 * claimant applies its update, which also bumps `rev`. A claim whose update never landed (the process died in
 * between) is released after STALE_CLAIM_MS so the object cannot stay stuck.
 */
const STALE_CLAIM_MS = 30_000;

interface Claim {
  _id: string;
  at: Date;
}

@Injectable()
export class StateClaims {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get claims() {
    return this.connection.collection<Claim>('stateClaims');
  }

  /**
   * Applies `update` to the one document matching `filter` (which names the expected state), exactly once
   * across concurrent callers. Returns the updated document, or null when the precondition did not hold or
   * another caller won the race.
   */
  async transition<T extends { _id: unknown; rev?: number }>(
    model: Model<T>,
    filter: Record<string, unknown>,
    update: UpdateQuery<T>,
  ): Promise<T | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = await model.findOne(filter as any).lean<T>().exec();
      if (!current) return null;
      const rev = current.rev ?? 0;
      const claimId = `${model.collection.collectionName}:${String(current._id)}:${rev}`;
      if (!(await this.claim(claimId))) {
        if (await this.releaseIfStale(model, claimId, current._id, rev)) continue;
        return null;
      }
      const res = await model
        .updateOne({ _id: current._id, rev: rev === 0 ? op({ $in: [0, null] }) : rev } as any, {
          ...update,
          $set: { ...((update as any).$set ?? {}), rev: rev + 1 },
        } as any)
        .exec();
      if (res.modifiedCount !== 1) return null;
      return model.findById(current._id).lean<T>().exec();
    }
    return null;
  }

  /** One-shot claims for things that happen once per key (a refresh token's use, a webhook event). */
  async claim(id: string): Promise<boolean> {
    try {
      await this.claims.insertOne({ _id: id, at: new Date() });
      return true;
    } catch (e: any) {
      if (e?.code === 11000) return false;
      throw e;
    }
  }

  private async releaseIfStale(model: Model<any>, claimId: string, id: unknown, rev: number): Promise<boolean> {
    const claim = await this.claims.findOne({ _id: claimId });
    if (!claim || Date.now() - claim.at.getTime() < STALE_CLAIM_MS) return false;
    const doc = await model.findById(id).lean<{ rev?: number }>().exec();
    if ((doc?.rev ?? 0) !== rev) return false;
    const del = await this.claims.deleteOne({ _id: claimId, at: claim.at });
    return del.deletedCount === 1;
  }
}
