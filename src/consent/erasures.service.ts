import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AudiencesRepository } from '../audiences/audiences.repository';
import { SubjectsRepository } from '../audiences/subjects.repository';
import { AuditService } from '../audit/audit.service';
import { type AuthContext } from '../common/auth.decorators';
import { type AppConfig, InjectConfig } from '../config/config';
import { type NewConsentEvent, ConsentRepository } from './consent.repository';
import { subjectOf } from './consent.service';
import { type EraseDto, type ErasureResultDto } from './dto/consent.dto';
import { ErasuresRepository } from './erasures.repository';
import { SubjectEventsHook } from './subject-events';

@Injectable()
export class ErasuresService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly subjects: SubjectsRepository,
    private readonly audiences: AudiencesRepository,
    private readonly erasures: ErasuresRepository,
    private readonly ledger: ConsentRepository,
    private readonly audit: AuditService,
    private readonly hook: SubjectEventsHook,
  ) {}

  /**
   * Removes the person from every audience of the caller's organization (matched by key, by the hashed
   * identifier stored under another key, or by another identifier stored alongside it), leaves a tombstone per key, a "revoked" ledger event per audience,
   * an audit entry, and tells the buyers that received the subject.
   */
  async erase(auth: AuthContext, input: EraseDto): Promise<ErasureResultDto> {
    const { key, ids } = subjectOf(input.identifier, this.config.privacy.defaultPhoneCountry);
    const orgId = new Types.ObjectId(auth.orgId);
    // One hop through the identity graph: a subject found by email may carry the phone that keys it elsewhere.
    const direct = await this.subjects.findForErasure(orgId, [key], [ids]);
    const found = direct.length ? await this.subjects.findForErasure(orgId, [key], [ids, ...direct.map((s) => s.ids)]) : direct;
    await this.subjects.deleteByIds(found.map((s) => s._id));

    const audienceIds = [...new Map(found.map((s) => [String(s.audienceId), s.audienceId])).values()];
    for (const audienceId of audienceIds) {
      await this.audiences.setSubjectCount(audienceId, await this.subjects.countByAudience(audienceId));
    }

    const now = new Date();
    const keys = [...new Set([key, ...found.map((s) => s.key)])];
    const revoked = (subjectKey: string, audienceId?: Types.ObjectId): NewConsentEvent => ({
      orgId, subjectKey, status: 'revoked', purposes: [], vendorConsent: false, source: 'erasure', at: now, recordedAt: now,
      ...(audienceId ? { audienceId } : {}),
    });
    const events = found.length ? found.map((s) => revoked(s.key, s.audienceId)) : [revoked(key)];
    await this.ledger.append(events);

    let buyersNotified = 0;
    for (const k of keys) {
      await this.erasures.upsert(auth.orgId, k, now);
      await this.audit.record(auth, {
        action: 'subject.erase', targetType: 'subject', targetId: k, orgId: auth.orgId,
        details: { removedFrom: audienceIds.length },
      });
      buyersNotified += await this.hook.onErased(auth.orgId, k, now);
    }
    return { subjectKey: key, removedFrom: audienceIds.length, buyersNotified };
  }
}
