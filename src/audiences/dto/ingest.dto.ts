import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsMongoId, IsObject } from 'class-validator';

export const MAX_COLLECT_EVENTS = 1000;

export class LineErrorDto {
  @ApiProperty({ description: 'NDJSON/CSV: 1-based physical line (CSV header = line 1); JSON array: element index + 1' })
  line: number;
  @ApiProperty({ example: 'INVALID_EMAIL' }) code: string;
  @ApiProperty() message: string;
}

export class IngestResultDto {
  @ApiProperty({ description: 'Records read (good and bad)' }) received: number;
  @ApiProperty() inserted: number;
  @ApiProperty() updated: number;
  @ApiProperty({ description: 'Records identical to what is stored' }) unchanged: number;
  @ApiProperty() rejected: number;
  @ApiProperty({ type: LineErrorDto, isArray: true, description: 'The first 100 rejected records' }) errors: LineErrorDto[];
}

export class CollectDto {
  @ApiProperty() @IsMongoId() audienceId: string;

  @ApiProperty({
    description: 'Records (one identifier, traits?, consent?) plus channel and at',
    type: 'array',
    maxItems: MAX_COLLECT_EVENTS,
    items: {
      type: 'object',
      example: { emailSha256: 'e3b0…', traits: { last_section: 'sport' }, channel: 'web', at: '2025-01-01T00:00:00Z' },
    },
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_COLLECT_EVENTS)
  @IsObject({ each: true })
  events: Record<string, unknown>[];
}

export class CollectResultDto {
  @ApiProperty() accepted: number;
  @ApiProperty() rejected: number;
  @ApiProperty({ type: LineErrorDto, isArray: true, description: 'line = event index + 1' }) errors: LineErrorDto[];
}
