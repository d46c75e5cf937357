import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { type KeysetSort, keysetQuery } from '../common/pagination';
import { AuditEntry } from './audit-entry.schema';
import { op } from '../common/trusted';

@Injectable()
export class AuditRepository {
  constructor(@InjectModel(AuditEntry.name) private readonly model: Model<AuditEntry>) {}

  async append(entry: Omit<AuditEntry, '_id' | 'at'> & { at?: Date }): Promise<void> {
    await this.model.create(entry);
  }

  findPage(filter: { targetId?: string; actorId?: string; action?: string }, sort: KeysetSort, limit: number, cursor?: string) {
    const q = keysetQuery(sort, cursor);
    const where: Record<string, unknown> = { ...q.filter };
    if (filter.targetId) where.targetId = filter.targetId;
    if (filter.actorId) where.actorId = filter.actorId;
    if (filter.action) where.action = filter.action;
    return this.model.find(where).sort(q.sort).limit(limit + 1).lean<AuditEntry[]>().exec();
  }

  findByAction(action: string, from?: Date, to?: Date): Promise<AuditEntry[]> {
    const where: Record<string, unknown> = { action };
    if (from || to) where.at = op({ ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) });
    return this.model.find(where).lean<AuditEntry[]>().exec();
  }
}
