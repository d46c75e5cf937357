import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageOf } from '../../common/pagination';
import { type Audience, AUDIENCE_SOURCES, type AudienceSource, DATA_TYPES, type DataType } from '../audience.schema';

export class CreateAudienceDto {
  @ApiProperty({ example: 'Newsletter subscribers' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/)
  name: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ enum: AUDIENCE_SOURCES })
  @IsIn(AUDIENCE_SOURCES)
  source: AudienceSource;

  @ApiProperty({ enum: DATA_TYPES })
  @IsIn(DATA_TYPES)
  dataType: DataType;
}

export class AudienceDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ enum: AUDIENCE_SOURCES }) source: AudienceSource;
  @ApiProperty({ enum: DATA_TYPES }) dataType: DataType;
  @ApiProperty({ description: 'Subjects currently stored in the audience' }) subjectCount: number;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) lastIngestAt: string | null;
}
export class AudiencePageDto extends PageOf(AudienceDto) {}

export function toAudienceDto(a: Audience): AudienceDto {
  return {
    id: String(a._id),
    name: a.name,
    description: a.description ?? null,
    source: a.source,
    dataType: a.dataType,
    subjectCount: a.subjectCount ?? 0,
    createdAt: a.createdAt.toISOString(),
    lastIngestAt: a.lastIngestAt ? a.lastIngestAt.toISOString() : null,
  };
}
