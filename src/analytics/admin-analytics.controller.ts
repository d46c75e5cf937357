import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { AnalyticsService } from './analytics.service';
import { AdminAnalyticsDto, AnalyticsRangeQuery } from './dto/analytics.dto';

@ApiTags('Admin')
@Controller('v1/admin/analytics')
export class AdminAnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get()
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({
    summary: 'Platform KPIs in [from, to): GMV, platform fees, publisher revenue, listings by status, moderation times, active organizations',
    description: 'publisherRevenue + platformFees = gmv per currency, exactly. Definitions: docs/analytics.md.',
  })
  @ApiOkResponse({ type: AdminAnalyticsDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'VALIDATION_FAILED, INVALID_RANGE, RANGE_TOO_LONG' })
  get(@Query() q: AnalyticsRangeQuery): Promise<AdminAnalyticsDto> {
    return this.analytics.admin(q);
  }
}
