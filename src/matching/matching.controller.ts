import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { OverlapRequestDto, OverlapResultDto, type OverlapRequest } from './dto/overlap.dto';
import { RecommendationBriefDto, RecommendationListDto } from './dto/recommendation.dto';
import { MatchingService } from './matching.service';
import { OverlapRequestPipe } from './overlap-request.pipe';

@ApiTags('Matching')
@Controller('v1/matching')
export class MatchingController {
  constructor(private readonly matching: MatchingService) {}

  @Post('overlap')
  @HttpCode(200)
  @Authenticated({ roles: ['advertiser'] })
  @ApiOperation({
    summary: 'Estimate how many of your hashed identifiers are consented members of a listing',
    description:
      'Costs ε (OVERLAP_EPSILON) of your per-listing privacy budget, spent before the count. The answer is the exact ' +
      'count plus Laplace noise, rounded to two significant figures, "<k" under MIN_SEGMENT_SIZE. Identifiers are ' +
      'compared in memory and never stored or logged.',
  })
  @ApiBody({ type: OverlapRequestDto })
  @ApiOkResponse({ type: OverlapResultDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'VALIDATION_FAILED (identifiers not 64 lower-case hex, empty, too many)' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Unknown listing, or not approved' })
  @ApiPayloadTooLargeResponse({ type: ErrorBodyDto, description: 'Body above OVERLAP_MAX_BYTES' })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'PRIVACY_BUDGET_EXHAUSTED for this listing' })
  overlap(@Auth() auth: AuthContext, @Body(OverlapRequestPipe) input: OverlapRequest): Promise<OverlapResultDto> {
    return this.matching.overlap(auth, input);
  }

  @Post('recommendations')
  @HttpCode(200)
  @Authenticated({ roles: ['advertiser'] })
  @ApiOperation({ summary: 'Approved listings ranked against a brief, with a 0-100 score and the reasons' })
  @ApiOkResponse({ type: RecommendationListDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'VALIDATION_FAILED, UNKNOWN_TAXONOMY_ID, SENSITIVE_TAXONOMY' })
  recommendations(@Auth() auth: AuthContext, @Body() brief: RecommendationBriefDto): Promise<RecommendationListDto> {
    return this.matching.recommend(auth, brief);
  }
}
