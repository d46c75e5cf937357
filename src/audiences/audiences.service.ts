import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../common/app-error';
import { type AuthContext } from '../common/auth.decorators';
import { DEFAULT_PAGE_LIMIT, type KeysetSort, type Page, type PageQuery, toPage } from '../common/pagination';
import { type Audience } from './audience.schema';
import { AudiencesRepository } from './audiences.repository';
import { type AudienceDto, type CreateAudienceDto, toAudienceDto } from './dto/audience.dto';
import { SubjectsRepository } from './subjects.repository';

const NEWEST_FIRST: KeysetSort = { field: '_id', direction: -1 };

@Injectable()
export class AudiencesService {
  constructor(
    private readonly audiences: AudiencesRepository,
    private readonly subjects: SubjectsRepository,
  ) {}

  async create(auth: AuthContext, input: CreateAudienceDto): Promise<AudienceDto> {
    return toAudienceDto(await this.audiences.create(auth.orgId, input));
  }

  async list(auth: AuthContext, q: PageQuery): Promise<Page<AudienceDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const docs = await this.audiences.findPage(auth.orgId, NEWEST_FIRST, limit, q.cursor);
    return toPage(docs, limit, NEWEST_FIRST, toAudienceDto);
  }

  async get(auth: AuthContext, id: string): Promise<AudienceDto> {
    return toAudienceDto(await this.requireOwned(auth, id));
  }

  async remove(auth: AuthContext, id: string): Promise<void> {
    const audience = await this.requireOwned(auth, id);
    await this.subjects.deleteByAudience(audience._id);
    if (!(await this.audiences.deleteOwned(auth.orgId, id))) throw AppError.notFound('Audience');
  }

  /** The caller's audience, or 404 (also for another tenant's id). */
  async requireOwned(auth: AuthContext, id: string): Promise<Audience> {
    const audience = Types.ObjectId.isValid(id) ? await this.audiences.findOwned(auth.orgId, id) : null;
    if (!audience) throw AppError.notFound('Audience');
    return audience;
  }
}
