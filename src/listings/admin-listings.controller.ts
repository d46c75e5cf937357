import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { ListingDto, ListingPageDto, ListingStatusQuery, ReasonDto } from './dto/listing.dto';
import { ListingsService } from './listings.service';

@ApiTags('Admin')
@Controller('v1/admin/listings')
export class AdminListingsController {
  constructor(private readonly listings: ListingsService) {}

  /** The moderation queue: pending_review by default, oldest submission first. */
  @Get()
  @Authenticated({ roles: ['admin'] })
  @ApiOkResponse({ type: ListingPageDto })
  list(@Query() q: ListingStatusQuery): Promise<ListingPageDto> {
    return this.listings.adminList(q);
  }

  @Get(':id')
  @Authenticated({ roles: ['admin'] })
  @ApiOkResponse({ type: ListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@Param() { id }: IdParam): Promise<ListingDto> {
    return this.listings.adminGet(id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  @ApiOkResponse({ type: ListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LISTING_NOT_PENDING' })
  approve(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<ListingDto> {
    return this.listings.approve(auth, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  @ApiOkResponse({ type: ListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LISTING_NOT_PENDING' })
  reject(@Auth() auth: AuthContext, @Param() { id }: IdParam, @Body() body: ReasonDto): Promise<ListingDto> {
    return this.listings.reject(auth, id, body.reason);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  @ApiOkResponse({ type: ListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LISTING_NOT_APPROVED' })
  suspend(@Auth() auth: AuthContext, @Param() { id }: IdParam, @Body() body: ReasonDto): Promise<ListingDto> {
    return this.listings.suspend(auth, id, body.reason);
  }

  @Post(':id/reinstate')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  @ApiOkResponse({ type: ListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LISTING_NOT_SUSPENDED' })
  reinstate(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<ListingDto> {
    return this.listings.reinstate(auth, id);
  }
}
