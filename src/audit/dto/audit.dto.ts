import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageOf, PageQuery } from '../../common/pagination';
import { AuditEntry } from '../audit-entry.schema';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) targetId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) actorId?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^[a-z_.]{1,64}$/) action?: string;
}

export class AuditEntryDto {
  @ApiProperty() id: string;
  @ApiProperty() at: string;
  @ApiProperty({ example: 'listing.approve' }) action: string;
  @ApiProperty() actorId: string;
  @ApiProperty() actorRole: string;
  @ApiProperty() targetType: string;
  @ApiPropertyOptional() targetId?: string;
  @ApiPropertyOptional() orgId?: string;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: Record<string, unknown>;
}
export class AuditPageDto extends PageOf(AuditEntryDto) {}

export function toAuditEntryDto(e: AuditEntry): AuditEntryDto {
  return {
    id: String(e._id),
    at: e.at.toISOString(),
    action: e.action,
    actorId: e.actorId ?? 'system',
    actorRole: e.actorRole ?? 'system',
    targetType: e.targetType,
    targetId: e.targetId,
    orgId: e.orgId,
    reason: e.reason,
    details: e.details,
  };
}
