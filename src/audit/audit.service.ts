import { Injectable } from '@nestjs/common';
import { type AuthContext } from '../common/auth.decorators';
import { DEFAULT_PAGE_LIMIT, type KeysetSort, type Page, toPage } from '../common/pagination';
import { AuditRepository } from './audit.repository';
import { AuditEntryDto, AuditQuery, toAuditEntryDto } from './dto/audit.dto';

export interface AuditRecord {
  action: string;
  targetType: string;
  targetId?: string;
  orgId?: string;
  reason?: string;
  details?: Record<string, unknown>;
}

const NEWEST_FIRST: KeysetSort = { field: '_id', direction: -1 };

@Injectable()
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  /** Records what `actor` did; a null actor is the system itself (bootstrap, webhooks). */
  record(actor: Pick<AuthContext, 'userId' | 'role'> | null, entry: AuditRecord): Promise<void> {
    return this.repo.append({ ...entry, actorId: actor?.userId ?? 'system', actorRole: actor?.role ?? 'system' });
  }

  async query(q: AuditQuery): Promise<Page<AuditEntryDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const docs = await this.repo.findPage(q, NEWEST_FIRST, limit, q.cursor);
    return toPage(docs, limit, NEWEST_FIRST, toAuditEntryDto);
  }
}
