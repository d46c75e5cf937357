import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { CreateListingDto, ListingDto, ListingPageDto, ListingStatusQuery, UpdateListingDto } from './dto/listing.dto';
import { ListingsService } from './listings.service';

@ApiTags('Listings')
@Controller('v1/listings')
export class ListingsController {
  constructor(private readonly listings: ListingsService) {}

  @Post()
  @Authenticated({ roles: ['publisher'] })
  @ApiCreatedResponse({ type: ListingDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'VALIDATION_FAILED, UNKNOWN_TAXONOMY_ID, SENSITIVE_TAXONOMY' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Segment not found' })
  create(@Auth() auth: AuthContext, @Body() body: CreateListingDto): Promise<ListingDto> {
    return this.listings.create(auth, body);
  }

  @Get()
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: ListingPageDto })
  list(@Auth() auth: AuthContext, @Query() q: ListingStatusQuery): Promise<ListingPageDto> {
    return this.listings.list(auth, q);
  }

  @Get(':id')
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: ListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<ListingDto> {
    return this.listings.get(auth, id);
  }

  @Patch(':id')
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: ListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LISTING_NOT_EDITABLE: only draft and rejected listings can be edited' })
  update(@Auth() auth: AuthContext, @Param() { id }: IdParam, @Body() body: UpdateListingDto): Promise<ListingDto> {
    return this.listings.update(auth, id, body);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: ListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LISTING_NOT_SUBMITTABLE, SEGMENT_TOO_SMALL' })
  submit(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<ListingDto> {
    return this.listings.submit(auth, id);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: ListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LISTING_ARCHIVED' })
  archive(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<ListingDto> {
    return this.listings.archive(auth, id);
  }
}
