import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { MarketplaceListingDto, MarketplaceListingPageDto, MarketplaceQuery } from './dto/marketplace.dto';
import { MarketplaceService } from './marketplace.service';

@ApiTags('Marketplace')
@Controller('v1/marketplace/listings')
export class MarketplaceController {
  constructor(private readonly marketplace: MarketplaceService) {}

  @Get()
  @Authenticated({ roles: ['advertiser', 'admin'] })
  @ApiOkResponse({ type: MarketplaceListingPageDto })
  search(@Query() q: MarketplaceQuery): Promise<MarketplaceListingPageDto> {
    return this.marketplace.search(q);
  }

  @Get(':id')
  @Authenticated({ roles: ['advertiser', 'admin'] })
  @ApiOkResponse({ type: MarketplaceListingDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Missing, or not approved' })
  get(@Param() { id }: IdParam): Promise<MarketplaceListingDto> {
    return this.marketplace.get(id);
  }
}
