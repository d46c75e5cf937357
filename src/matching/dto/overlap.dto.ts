import { ApiProperty } from '@nestjs/swagger';
import { AppError } from '../../common/app-error';
import { type ParsedIdentifiers, ParsedOverlapBody } from '../overlap-body';
import { Sha256Set } from '../sha256-set';

/** The request as documented; parsed by parseOverlapRequest (a loop, not class-validator per element). */
export class OverlapRequestDto {
  @ApiProperty({ description: 'An approved listing', example: '665f1c2e9b1e8a3f4c2d1a0b' })
  listingId: string;

  @ApiProperty({
    type: [String],
    minItems: 1,
    description:
      'Hex SHA-256 (64 lower-case characters) of your normalized identifiers, as Audex hashes them at ingest. ' +
      'Duplicates count once. At most OVERLAP_MAX_IDENTIFIERS (default 1,000,000). Never stored or logged.',
    example: ['973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b'],
  })
  identifiers: string[];
}

export class OverlapPrivacyDto {
  @ApiProperty({ description: 'ε spent on this answer' }) epsilon: number;
  @ApiProperty({ description: 'ε your organisation has spent on this listing, this answer included' }) epsilonSpent: number;
  @ApiProperty({ description: 'ε left for this listing; 429 PRIVACY_BUDGET_EXHAUSTED at 0' }) epsilonRemaining: number;
}

export class OverlapResultDto {
  @ApiProperty() listingId: string;
  @ApiProperty({ description: 'Distinct identifiers submitted' }) submitted: number;
  @ApiProperty({
    oneOf: [{ type: 'integer' }, { type: 'string', example: '<100' }],
    description: 'Consented members among them: Laplace-noised, two significant figures; "<k" under the threshold',
  })
  matchedEstimate: number | string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'matchedEstimate / submitted, two decimals, at most 1; null when matchedEstimate is "<k"',
  })
  matchRateEstimate: number | null;
  @ApiProperty({ type: OverlapPrivacyDto }) privacy: OverlapPrivacyDto;
}

export interface OverlapRequest {
  listingId: string;
  /** Distinct submitted hashes; consumed by the overlap count. */
  identifiers: Sha256Set;
}

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const HASH_RULE = 'each identifier must be a lower-case hex SHA-256 (64 characters 0-9a-f)';

const invalid = (field: string, error: string) => AppError.badRequest('VALIDATION_FAILED', 'The request is not valid', [{ field, errors: [error] }]);

/**
 * Validates an overlap body: a ParsedOverlapBody (the route's streaming parser, overlap-body.ts) or a parsed
 * JSON object. A million identifiers through class-validator (an object and a decorator walk per element) would
 * take seconds; a loop takes tens of milliseconds. Errors name the field and the position, never the value (it
 * is personal data).
 */
export function parseOverlapRequest(body: unknown, maxIdentifiers: number): OverlapRequest {
  if (body instanceof ParsedOverlapBody) return checkOverlapBody(body, maxIdentifiers);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('body', 'the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const list = b.identifiers;
  let identifiers: ParsedIdentifiers | undefined;
  if (Array.isArray(list)) {
    const parsed = { kind: 'array' as const, count: list.length, firstInvalid: -1, hashes: new Sha256Set(Math.min(list.length, maxIdentifiers)) };
    for (let i = 0; i < list.length && list.length <= maxIdentifiers; i++) {
      const v = list[i];
      if (typeof v !== 'string' || !SHA256_HEX.test(v)) {
        parsed.firstInvalid = i;
        break;
      }
      parsed.hashes.add(v);
    }
    identifiers = parsed;
  } else if (list !== undefined) {
    identifiers = { kind: 'value', value: list };
  }
  return checkOverlapBody(new ParsedOverlapBody(true, Object.keys(b), b.listingId, identifiers), maxIdentifiers);
}

function checkOverlapBody(body: ParsedOverlapBody, maxIdentifiers: number): OverlapRequest {
  if (!body.isObject) throw invalid('body', 'the body must be a JSON object');
  for (const key of body.keys) {
    if (key !== 'listingId' && key !== 'identifiers') throw invalid(key, `property ${key} should not exist`);
  }
  if (typeof body.listingId !== 'string' || !OBJECT_ID.test(body.listingId)) throw invalid('listingId', 'listingId must be a mongodb id');
  const list = body.identifiers;
  if (!list || list.kind !== 'array') throw invalid('identifiers', 'identifiers must be an array');
  if (list.count < 1) throw invalid('identifiers', 'identifiers must contain at least 1 element');
  if (list.count > maxIdentifiers) throw invalid('identifiers', `identifiers must contain no more than ${maxIdentifiers} elements`);
  if (list.firstInvalid >= 0) throw invalid(`identifiers.${list.firstInvalid}`, HASH_RULE);
  return { listingId: body.listingId.toLowerCase(), identifiers: list.hashes };
}
