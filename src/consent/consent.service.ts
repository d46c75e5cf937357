import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { subjectContentHash } from '../audiences/ingest/content-hash';
import { AudiencesService } from '../audiences/audiences.service';
import { SubjectsRepository } from '../audiences/subjects.repository';
import { AppError } from '../common/app-error';
import { type AuthContext } from '../common/auth.decorators';
import { type AppConfig, InjectConfig } from '../config/config';
import { identify, type IdentifierInput } from '../privacy/identifiers';
import { type ConsentEvent } from './consent-event.schema';
import { ConsentRepository } from './consent.repository';
import { type ConsentEventDto, type ConsentHistoryDto, type ConsentStateDto, type RecordConsentDto, type RecordedConsentDto } from './dto/consent.dto';
import { SubjectEventsHook } from './subject-events';
import { ConsentInputError, normalizeConsent } from './tcf';

const HISTORY_LIMIT = 500;

function toStateDto(e: ConsentEvent): ConsentStateDto {
  return {
    status: e.status,
    purposes: e.purposes,
    vendorConsent: e.vendorConsent,
    at: e.at.toISOString(),
    source: e.source,
    ...(e.tcStringHash ? { tcStringHash: e.tcStringHash } : {}),
  };
}

function toEventDto(e: ConsentEvent): ConsentEventDto {
  return { ...toStateDto(e), audienceId: e.audienceId ? String(e.audienceId) : null, recordedAt: e.recordedAt.toISOString() };
}

/** Hashes an identifier at the edge; a bad one is a 400 whose message never repeats the value. */
export function subjectOf(identifier: IdentifierInput, defaultPhoneCountry: string) {
  const id = identify(identifier ?? {}, defaultPhoneCountry);
  if (!id.ok) throw AppError.badRequest(id.code, id.message);
  return id;
}

@Injectable()
export class ConsentService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly audiences: AudiencesService,
    private readonly subjects: SubjectsRepository,
    private readonly ledger: ConsentRepository,
    private readonly hook: SubjectEventsHook,
  ) {}

  /** Appends the change to the ledger, updates the subject if it is in the audience, and tells buyers of a withdrawal. */
  async record(auth: AuthContext, input: RecordConsentDto): Promise<RecordedConsentDto> {
    const audience = await this.audiences.requireOwned(auth, input.audienceId);
    const { key } = subjectOf(input.identifier, this.config.privacy.defaultPhoneCountry);
    let consent;
    try {
      consent = normalizeConsent(
        { tcString: input.tcString, status: input.status, purposes: input.purposes, at: input.at },
        this.config.privacy.vendorId,
      );
    } catch (e) {
      if (e instanceof ConsentInputError) throw AppError.badRequest(e.code, e.message);
      throw e;
    }
    const now = new Date();
    const previous = await this.ledger.latest(auth.orgId, key);
    const event: Omit<ConsentEvent, '_id'> = {
      orgId: new Types.ObjectId(auth.orgId),
      audienceId: audience._id,
      subjectKey: key,
      status: consent.status,
      purposes: consent.purposes,
      vendorConsent: consent.vendorConsent,
      ...(consent.tcStringHash ? { tcStringHash: consent.tcStringHash } : {}),
      source: input.source,
      at: consent.at ?? now,
      recordedAt: now,
    };
    await this.ledger.append([event]);

    const subject = await this.subjects.findOne(audience._id, key);
    if (subject) {
      const { orgId: _o, audienceId: _a, subjectKey: _k, recordedAt: _r, ...state } = event;
      await this.subjects.updateConsent(audience._id, key, state, subjectContentHash({ ids: subject.ids, traits: subject.traits, consent: state }), now);
    }

    const withdrawn = consent.status === 'revoked' || (consent.status === 'denied' && previous?.status === 'granted');
    const buyersNotified = withdrawn ? await this.hook.onRevoked(auth.orgId, key) : 0;
    return { subjectKey: key, current: toStateDto(event as ConsentEvent), buyersNotified };
  }

  async history(auth: AuthContext, subjectKey: string): Promise<ConsentHistoryDto> {
    const events = await this.ledger.history(auth.orgId, subjectKey, HISTORY_LIMIT);
    if (!events.length) throw AppError.notFound('Subject');
    return { subjectKey, current: toStateDto(events[events.length - 1]), history: events.map(toEventDto) };
  }
}
