import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import type { ApiKeyScope } from '../common/auth.decorators';
import { ApiKey } from './api-key.schema';
import { RefreshToken } from './refresh-token.schema';
import { op } from '../common/trusted';
import { StateClaims } from '../common/state-claims';

@Injectable()
export class RefreshTokensRepository {
  constructor(
    @InjectModel(RefreshToken.name) private readonly model: Model<RefreshToken>,
    private readonly claims: StateClaims,
  ) {}

  async insert(t: { userId: Types.ObjectId; familyId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
    await this.model.create(t);
  }

  /**
   * Uses a live token once: of two concurrent callers exactly one gets it back (a unique claim decides, see
   * StateClaims). `reused` when it had been used before: the caller must treat that as theft.
   */
  async consume(tokenHash: string, now: Date): Promise<{ token: RefreshToken } | { reused: RefreshToken } | null> {
    const row = await this.model.findOne({ tokenHash }).lean<RefreshToken>().exec();
    if (!row) return null;
    if (row.usedAt) return { reused: row };
    if (row.revokedAt || row.expiresAt <= now) return null;
    if (!(await this.claims.claim(`refreshTokens:use:${tokenHash}`))) return { reused: row };
    await this.model.updateOne({ _id: row._id }, { $set: { usedAt: now } }).exec();
    return { token: { ...row, usedAt: now } };
  }

  findByHash(tokenHash: string): Promise<RefreshToken | null> {
    return this.model.findOne({ tokenHash }).lean<RefreshToken>().exec();
  }

  async revokeFamily(familyId: string, now: Date): Promise<number> {
    const r = await this.model.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: now } }).exec();
    return r.modifiedCount;
  }

  async revokeAllForUser(userId: Types.ObjectId | string, now: Date): Promise<void> {
    await this.model.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: now } }).exec();
  }

  async deleteExpired(now: Date): Promise<number> {
    const r = await this.model.deleteMany({ expiresAt: op({ $lt: now }) }).exec();
    return r.deletedCount;
  }
}

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectModel(ApiKey.name) private readonly model: Model<ApiKey>) {}

  async insert(k: {
    orgId: Types.ObjectId;
    createdBy: Types.ObjectId;
    name: string;
    prefix: string;
    hash: string;
    scopes: ApiKeyScope[];
  }): Promise<ApiKey> {
    return (await this.model.create(k)).toObject();
  }

  findByPrefix(prefix: string): Promise<ApiKey | null> {
    return this.model.findOne({ prefix }).lean<ApiKey>().exec();
  }

  listForOrg(orgId: string): Promise<ApiKey[]> {
    return this.model.find({ orgId }).sort({ _id: -1 }).limit(1000).lean<ApiKey[]>().exec();
  }

  revoke(orgId: string, id: string, now: Date): Promise<ApiKey | null> {
    return this.model
      .findOneAndUpdate({ _id: id, orgId, revokedAt: null }, { $set: { revokedAt: now } }, { returnDocument: 'after' })
      .lean<ApiKey>()
      .exec();
  }

  findInOrg(orgId: string, id: string): Promise<ApiKey | null> {
    return this.model.findOne({ _id: id, orgId }).lean<ApiKey>().exec();
  }

  touch(id: Types.ObjectId, now: Date): Promise<unknown> {
    return this.model.updateOne({ _id: id }, { $set: { lastUsedAt: now } }).exec();
  }
}
