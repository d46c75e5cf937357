import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { AnalyticsService } from './analytics.service';
import { AdvertiserAnalyticsDto, AnalyticsRangeQuery, PublisherAnalyticsDto } from './dto/analytics.dto';

const RANGE_ERRORS = 'VALIDATION_FAILED (not ISO 8601), INVALID_RANGE (from ≥ to), RANGE_TOO_LONG (over 2 years)';

@ApiTags('Analytics')
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('publisher')
  @Authenticated({ roles: ['publisher'] })
  @ApiOperation({
    summary: "The caller's revenue, orders, buyers, deliveries, consent exclusions and overlap requests in [from, to)",
    description: 'Money is net of the platform fee and of refunds in the range, grouped by currency. Definitions: docs/analytics.md.',
  })
  @ApiOkResponse({ type: PublisherAnalyticsDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: RANGE_ERRORS })
  publisher(@Auth() auth: AuthContext, @Query() q: AnalyticsRangeQuery): Promise<PublisherAnalyticsDto> {
    return this.analytics.publisher(auth, q);
  }

  @Get('advertiser')
  @Authenticated({ roles: ['advertiser'] })
  @ApiOperation({ summary: "The caller's spend, orders, records received, consent exclusions and pending notices in [from, to)" })
  @ApiOkResponse({ type: AdvertiserAnalyticsDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: RANGE_ERRORS })
  advertiser(@Auth() auth: AuthContext, @Query() q: AnalyticsRangeQuery): Promise<AdvertiserAnalyticsDto> {
    return this.analytics.advertiser(auth, q);
  }
}
