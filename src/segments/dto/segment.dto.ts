import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsDefined, IsMongoId, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageOf } from '../../common/pagination';
import type { RuleGroup } from '../rules/rule-language';
import type { Segment } from '../segment.schema';

const RULES_EXAMPLE = {
  all: [
    { trait: 'interests', op: 'eq', value: 'sport' },
    { trait: 'age', op: 'gte', value: 25 },
    { trait: 'age', op: 'lte', value: 34 },
    { trait: 'country', op: 'eq', value: 'CMR' },
  ],
};

export class CreateSegmentDto {
  @ApiProperty({ example: 'Sport fans 25-34, Cameroon', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/)
  name: string;

  @ApiProperty({ type: [String], description: 'Audiences of the caller, 1 to 20' })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsMongoId({ each: true })
  audienceIds: string[];

  /** Free-form JSON checked by parseRules (INVALID_RULE with details), not by class-validator. */
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: RULES_EXAMPLE,
    description:
      '{all|any: [rule | group]}; rule = {trait, op: eq|neq|in|nin|gt|gte|lt|lte|exists, value}; groups nest at most 3 deep, at most 50 rules',
  })
  @IsDefined()
  rules: unknown;
}

export class SegmentDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) audienceIds: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: RULES_EXAMPLE }) rules: RuleGroup;
  @ApiProperty({ description: 'Exact number of members across the audiences (private to the owner)' }) size: number;
  @ApiProperty({ description: 'Members with consent for TCF purposes 1, 3, 4 and the vendor' }) consentedSize: number;
  @ApiProperty() computedAt: string;
  @ApiProperty() createdAt: string;
}
export class SegmentPageDto extends PageOf(SegmentDto) {}

export function toSegmentDto(s: Segment): SegmentDto {
  return {
    id: String(s._id),
    name: s.name,
    audienceIds: s.audienceIds.map(String),
    rules: s.rules,
    size: s.size,
    consentedSize: s.consentedSize,
    computedAt: s.computedAt.toISOString(),
    createdAt: s.createdAt.toISOString(),
  };
}
