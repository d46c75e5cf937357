import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsDateString, IsIn, IsInt, IsMongoId, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min,
  ValidateNested,
} from 'class-validator';
import { CONSENT_STATUSES, type ConsentStatus } from '../../audiences/subject.schema';
import { SHA256_HEX } from '../../privacy/identifiers';
import { MAX_TCF_PURPOSE } from '../tcf';

/** One way to name a person; raw values are hashed on arrival and never stored. Precedence: email, phone, maid. */
export class IdentifierDto {
  @ApiPropertyOptional({ description: 'Raw email; normalized and hashed at once' })
  @IsOptional() @IsString() @MaxLength(320) email?: string;
  @ApiPropertyOptional({ description: 'SHA-256 hex of the normalized email' })
  @IsOptional() @IsString() @MaxLength(64) emailSha256?: string;
  @ApiPropertyOptional({ description: 'Raw phone; E.164-normalized and hashed at once' })
  @IsOptional() @IsString() @MaxLength(40) phone?: string;
  @ApiPropertyOptional({ description: 'SHA-256 hex of the E.164 phone' })
  @IsOptional() @IsString() @MaxLength(64) phoneSha256?: string;
  @ApiPropertyOptional({ description: 'Mobile advertising id (UUID)' })
  @IsOptional() @IsString() @MaxLength(64) maid?: string;
}

export class RecordConsentDto {
  @ApiProperty() @IsMongoId() audienceId: string;

  @ApiProperty({ type: IdentifierDto })
  @IsObject()
  @ValidateNested()
  @Type(() => IdentifierDto)
  identifier: IdentifierDto;

  @ApiProperty({ enum: CONSENT_STATUSES }) @IsIn(CONSENT_STATUSES) status: ConsentStatus;

  @ApiProperty({ type: [Number], description: `TCF purposes 1..${MAX_TCF_PURPOSE}; taken from tcString when one is given` })
  @IsArray()
  @ArrayMaxSize(MAX_TCF_PURPOSE)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_TCF_PURPOSE, { each: true })
  purposes: number[];

  @ApiPropertyOptional({ description: 'TCF 2.2 TC string; decoded, only its SHA-256 is kept' })
  @IsOptional() @IsString() @MaxLength(8192) tcString?: string;

  @ApiProperty({ example: 'cmp', description: 'Where the change came from' })
  @IsString() @Matches(/^[a-z][a-z0-9_-]{0,31}$/) source: string;

  @ApiPropertyOptional({ description: 'When the person made the choice (default: now; a tcString gives its own)' })
  @IsOptional() @IsDateString() at?: string;
}

export class SubjectKeyParam {
  @ApiProperty({ description: 'Subject key (SHA-256 hex)' }) @Matches(SHA256_HEX) subjectKey: string;
}

export class ConsentStateDto {
  @ApiProperty({ enum: CONSENT_STATUSES }) status: ConsentStatus;
  @ApiProperty({ type: [Number] }) purposes: number[];
  @ApiProperty({ description: "Consent for Audex's TCF vendor id" }) vendorConsent: boolean;
  @ApiProperty({ description: 'When the person made the choice' }) at: string;
  @ApiProperty() source: string;
  @ApiPropertyOptional({ description: 'SHA-256 of the TC string, if any' }) tcStringHash?: string;
}

export class ConsentEventDto extends ConsentStateDto {
  @ApiProperty({ type: String, nullable: true }) audienceId: string | null;
  @ApiProperty({ description: 'When Audex recorded it' }) recordedAt: string;
}

export class RecordedConsentDto {
  @ApiProperty() subjectKey: string;
  @ApiProperty({ type: ConsentStateDto }) current: ConsentStateDto;
  @ApiProperty({ description: 'Buyers told of a revocation' }) buyersNotified: number;
}

export class ConsentHistoryDto {
  @ApiProperty() subjectKey: string;
  @ApiProperty({ type: ConsentStateDto }) current: ConsentStateDto;
  @ApiProperty({ type: ConsentEventDto, isArray: true, description: 'Oldest first (the latest 500)' }) history: ConsentEventDto[];
}

export class EraseDto {
  @ApiProperty({ type: IdentifierDto })
  @IsObject()
  @ValidateNested()
  @Type(() => IdentifierDto)
  identifier: IdentifierDto;
}

export class ErasureResultDto {
  @ApiProperty() subjectKey: string;
  @ApiProperty({ description: 'Number of audiences the subject was removed from' }) removedFrom: number;
  @ApiProperty() buyersNotified: number;
}
