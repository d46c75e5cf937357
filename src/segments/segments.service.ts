import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import type { Audience } from '../audiences/audience.schema';
import { AppError } from '../common/app-error';
import type { AuthContext } from '../common/auth.decorators';
import { DEFAULT_PAGE_LIMIT, type KeysetSort, type Page, type PageQuery, toPage } from '../common/pagination';
import { type AppConfig, InjectConfig } from '../config/config';
import { AudienceDataRepository, type MemberFacts } from './audience-data.repository';
import { type CreateSegmentDto, type SegmentDto, toSegmentDto } from './dto/segment.dto';
import { compileRules } from './rules/compile-rules';
import { trustFilter } from './rules/trusted-filter';
import { parseRules, type RuleGroup, traitNames } from './rules/rule-language';
import type { Segment } from './segment.schema';
import { SegmentsRepository } from './segments.repository';

/** TCF purposes every delivery needs (store/access, personalised ads profile, personalised ads selection). */
export const REQUIRED_PURPOSES = [1, 3, 4] as const;
const NEWEST_FIRST: KeysetSort = { field: '_id', direction: -1 };

@Injectable()
export class SegmentsService {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly data: AudienceDataRepository,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async create(auth: AuthContext, input: CreateSegmentDto): Promise<SegmentDto> {
    const rules = parseRules(input.rules);
    const audiences = await this.ownedAudiences(auth, input.audienceIds);
    const audienceIds = audiences.map((a) => a._id);
    await this.checkTraits(new Types.ObjectId(auth.orgId), audienceIds, rules);
    const orgId = new Types.ObjectId(auth.orgId);
    const sizes = await this.count(orgId, audienceIds, rules);
    const segment = await this.segments.create({
      orgId,
      name: input.name.trim(),
      audienceIds,
      rules,
      ...sizes,
      computedAt: new Date(),
    });
    return toSegmentDto(segment);
  }

  async list(auth: AuthContext, q: PageQuery): Promise<Page<SegmentDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const docs = await this.segments.findPage(auth.orgId, NEWEST_FIRST, limit, q.cursor);
    return toPage(docs, limit, NEWEST_FIRST, toSegmentDto);
  }

  async get(auth: AuthContext, id: string): Promise<SegmentDto> {
    return toSegmentDto(await this.findOwned(auth, id));
  }

  async refresh(auth: AuthContext, id: string): Promise<SegmentDto> {
    return toSegmentDto(await this.recount(await this.findOwned(auth, id)));
  }

  /** The caller's segment, or 404 (another tenant's segment is simply not found). */
  async findOwned(auth: Pick<AuthContext, 'orgId'>, id: string): Promise<Segment> {
    const segment = await this.segments.findOwned(auth.orgId, id);
    if (!segment) throw AppError.notFound('Segment');
    return segment;
  }

  /** Counts the segment again and stores the result. */
  async recount(segment: Segment): Promise<Segment> {
    const sizes = await this.count(segment.orgId, segment.audienceIds, segment.rules);
    const updated = await this.segments.setSizes(segment._id, sizes.size, sizes.consentedSize, new Date());
    if (!updated) throw AppError.notFound('Segment');
    return updated;
  }

  /** Facts about the segment's consented members, for the Data Label. */
  memberFacts(segment: Segment, topN = 10): Promise<MemberFacts> {
    return this.data.memberFacts(this.consentedFilter(segment.orgId, segment.audienceIds, segment.rules), topN);
  }

  audiencesOf(segment: Segment): Promise<Audience[]> {
    return this.data.findOwnedAudiences(String(segment.orgId), segment.audienceIds.map(String));
  }

  private async ownedAudiences(auth: AuthContext, ids: string[]): Promise<Audience[]> {
    const audiences = await this.data.findOwnedAudiences(auth.orgId, ids);
    if (audiences.length !== new Set(ids).size) {
      const found = new Set(audiences.map((a) => String(a._id)));
      throw AppError.notFound(`Audience ${ids.find((id) => !found.has(id))}`, 'AUDIENCE_NOT_FOUND');
    }
    return audiences;
  }

  private async checkTraits(orgId: Types.ObjectId, audienceIds: Types.ObjectId[], rules: RuleGroup): Promise<void> {
    const denied = this.config.privacy.deniedTraitTerms;
    for (const name of traitNames(rules)) {
      if (denied.some((term) => name.includes(term))) {
        throw AppError.badRequest('SENSITIVE_TRAIT', `Trait ${name} falls in a special category of personal data`, [{ trait: name }]);
      }
      if (!(await this.data.traitExists(orgId, audienceIds, name))) {
        throw AppError.badRequest('UNKNOWN_TRAIT', `No member of these audiences has the trait ${name}`, [{ trait: name }]);
      }
    }
  }

  /**
   * Every member of a segment whatever its consent, as a trusted filter, for services acting for a buyer who
   * paid for it (delivery evaluates consent member by member to count exclusions by reason). Null if the
   * segment no longer exists.
   */
  async memberSelection(segmentId: Types.ObjectId | string): Promise<{ segment: Segment; filter: Record<string, unknown> } | null> {
    const segment = await this.segments.findById(segmentId);
    if (!segment) return null;
    return { segment, filter: trustFilter(this.memberFilter(segment.orgId, segment.audienceIds, segment.rules)) };
  }

  private async count(orgId: Types.ObjectId, audienceIds: Types.ObjectId[], rules: RuleGroup) {
    const [size, consentedSize] = await Promise.all([
      this.data.countMembers(this.memberFilter(orgId, audienceIds, rules)),
      this.data.countMembers(this.consentedFilter(orgId, audienceIds, rules)),
    ]);
    return { size, consentedSize };
  }

  private memberFilter(orgId: Types.ObjectId, audienceIds: Types.ObjectId[], rules: RuleGroup): Record<string, unknown> {
    return { $and: [{ orgId, audienceId: { $in: audienceIds } }, compileRules(rules)] };
  }

  private consentedFilter(orgId: Types.ObjectId, audienceIds: Types.ObjectId[], rules: RuleGroup): Record<string, unknown> {
    return consentedFilter(orgId, audienceIds, rules, REQUIRED_PURPOSES);
  }

  /**
   * Keys of the segment's members whose consent covers `purposes` (a listing's requiredPurposes) and the vendor,
   * in batches, one audience at a time: each query is an equality on audienceId (indexed, also on FerretDB, which
   * does not push `$in` down). A subject in two audiences is yielded once per audience; callers dedupe.
   */
  async *consentedKeyBatches(segment: Segment, purposes: readonly number[]): AsyncGenerator<string[]> {
    for (const audienceId of segment.audienceIds) {
      yield* this.data.keyBatches(consentedFilter(segment.orgId, [audienceId], segment.rules, purposes));
    }
  }
}

/**
 * Members a delivery could include today: consent granted for every purpose in `purposes` (at least TCF 1, 3
 * and 4) and for the vendor. The one definition of "consented" for sizes, labels, overlaps and deliveries.
 */
export function consentedFilter(
  orgId: Types.ObjectId,
  audienceIds: Types.ObjectId[],
  rules: RuleGroup,
  purposes: readonly number[] = REQUIRED_PURPOSES,
): Record<string, unknown> {
  const all = [...new Set([...REQUIRED_PURPOSES, ...purposes])].sort((a, b) => a - b);
  const scope = audienceIds.length === 1 ? { orgId, audienceId: audienceIds[0] } : { orgId, audienceId: { $in: audienceIds } };
  return {
    $and: [
      scope,
      compileRules(rules),
      { 'consent.status': 'granted', 'consent.vendorConsent': true },
      ...all.map((p) => ({ 'consent.purposes': p })),
    ],
  };
}
