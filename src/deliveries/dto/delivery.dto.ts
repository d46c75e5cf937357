import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { PageOf, PageQuery } from '../../common/pagination';
import type { Delivery } from '../delivery.schema';
import type { Notice } from '../notice.schema';

export class DeliveryDestinationDto {
  @ApiProperty({ enum: ['download', 'webhook'] })
  @IsIn(['download', 'webhook'])
  type: 'download' | 'webhook';

  @ApiPropertyOptional({ description: 'HTTPS endpoint for type webhook', example: 'https://buyer.example/audex' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;
}

export class CreateDeliveryDto {
  @ApiProperty({ enum: ['ndjson', 'csv'] })
  @IsIn(['ndjson', 'csv'])
  format: 'ndjson' | 'csv';

  @ApiPropertyOptional({ type: DeliveryDestinationDto, description: 'Default: {type: download}' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DeliveryDestinationDto)
  destination?: DeliveryDestinationDto;
}

export class ManifestDto {
  @ApiProperty() recordCount: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { revoked: 3, missing_purpose: 5 } })
  excluded: Record<string, number>;
  @ApiProperty({ type: [Number], example: [1, 3, 4] }) purposesRequired: number[];
  @ApiProperty() vendorId: number;
  @ApiProperty() consentSnapshotAt: string;
  @ApiProperty({ description: 'SHA-256 over the ascending delivered keys, each followed by a newline' }) digest: string;
  @ApiProperty({ description: 'Merkle root over the delivered keys (leaf = sha256(0x00 ‖ key))' }) merkleRoot: string;
}

export class DownloadLinkDto {
  @ApiProperty({ description: 'Signed, expiring link; works without other credentials' }) url: string;
  @ApiProperty() expiresAt: string;
}

export class PushOutcomeDto {
  @ApiProperty() url: string;
  @ApiProperty() ok: boolean;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional() status?: number;
  @ApiPropertyOptional({ type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } })
  error?: { code: string; message: string };
  @ApiProperty() at: string;
}

export class DeliveryDto {
  @ApiProperty() id: string;
  @ApiProperty() orderId: string;
  @ApiProperty() listingId: string;
  @ApiProperty({ enum: ['building', 'ready', 'failed'] }) status: string;
  @ApiProperty({ enum: ['ndjson', 'csv'] }) format: string;
  @ApiProperty({ type: DeliveryDestinationDto }) destination: DeliveryDestinationDto;
  @ApiProperty() recordCount: number;
  @ApiProperty({ description: 'Members left out because their consent does not cover this use now' }) excludedNoConsent: number;
  @ApiPropertyOptional({ type: ManifestDto }) manifest?: ManifestDto;
  @ApiPropertyOptional({ type: DownloadLinkDto }) download?: DownloadLinkDto;
  @ApiPropertyOptional({ type: PushOutcomeDto }) push?: PushOutcomeDto;
  @ApiPropertyOptional({ description: 'Key the webhook pushes are signed with (Audex-Signature); webhook deliveries only' })
  signingSecret?: string;
  @ApiProperty() createdAt: string;
}

export class VerifyDto {
  @ApiProperty({ description: 'Subject key (64 lower-case hex)' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'subjectKey must be 64 lower-case hex characters' })
  subjectKey: string;
}

export class ConsentAtDeliveryDto {
  @ApiProperty({ enum: ['granted', 'denied', 'revoked'] }) status: string;
  @ApiProperty({ type: [Number] }) purposes: number[];
  @ApiProperty() vendorConsent: boolean;
  @ApiProperty() at: string;
  @ApiPropertyOptional() tcStringHash?: string;
  @ApiPropertyOptional() source?: string;
}

export class MerkleStepDto {
  @ApiProperty({ enum: ['left', 'right'] }) side: 'left' | 'right';
  @ApiProperty() hash: string;
}

export class VerifyResultDto {
  @ApiProperty() included: boolean;
  @ApiProperty({ type: ConsentAtDeliveryDto, nullable: true }) consentAtDelivery: ConsentAtDeliveryDto | null;
  @ApiProperty() merkleRoot: string;
  @ApiPropertyOptional({ type: [MerkleStepDto], description: 'Inclusion proof against merkleRoot (deliveries up to 100k records)' })
  merkleProof?: MerkleStepDto[];
}

export class DownloadQuery {
  @ApiPropertyOptional({ description: 'Signed download token (from the delivery\'s download.url)' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  token?: string;
}

export class NoticeQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'acknowledged'] })
  @IsOptional()
  @IsIn(['pending', 'acknowledged'])
  status?: 'pending' | 'acknowledged';
}

export class NoticeDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['erasure', 'revocation'] }) kind: string;
  @ApiProperty() subjectKey: string;
  @ApiProperty() sellerOrganizationId: string;
  @ApiProperty({ type: [String] }) deliveryIds: string[];
  @ApiProperty({ enum: ['pending', 'acknowledged'] }) status: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional() acknowledgedAt?: string;
  @ApiProperty({ description: 'HMAC-SHA256 with the buyer signing key over the notice facts' }) signature: string;
}
export class NoticePageDto extends PageOf(NoticeDto) {}

export function toNoticeDto(n: Notice): NoticeDto {
  return {
    id: String(n._id),
    kind: n.kind,
    subjectKey: n.subjectKey,
    sellerOrganizationId: String(n.sellerOrgId),
    deliveryIds: n.deliveryIds.map(String),
    status: n.status,
    createdAt: n.createdAt.toISOString(),
    acknowledgedAt: n.acknowledgedAt?.toISOString(),
    signature: n.signature,
  };
}

export function toDeliveryDto(d: Delivery, extra: { download?: DownloadLinkDto; signingSecret?: string } = {}): DeliveryDto {
  return {
    id: String(d._id),
    orderId: String(d.orderId),
    listingId: String(d.listingId),
    status: d.status,
    format: d.format,
    destination: d.destinationType === 'webhook' ? { type: 'webhook', url: d.webhookUrl } : { type: 'download' },
    recordCount: d.recordCount,
    excludedNoConsent: d.excludedNoConsent,
    manifest: d.manifest && {
      ...d.manifest,
      excluded: { ...d.manifest.excluded },
      consentSnapshotAt: new Date(d.manifest.consentSnapshotAt).toISOString(),
    },
    download: d.status === 'ready' ? extra.download : undefined,
    push: d.push && { ...d.push, at: new Date(d.push.at).toISOString() },
    signingSecret: d.destinationType === 'webhook' ? extra.signingSecret : undefined,
    createdAt: d.createdAt.toISOString(),
  };
}
