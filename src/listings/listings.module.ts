import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SegmentsModule } from '../segments/segments.module';
import { AdminListingsController } from './admin-listings.controller';
import { Listing, ListingSchema } from './listing.schema';
import { MarketplaceState, MarketplaceStateSchema } from './marketplace-state.schema';
import { ListingsController } from './listings.controller';
import { ListingsRepository } from './listings.repository';
import { ListingsService } from './listings.service';

@Module({
  imports: [MongooseModule.forFeature([
      { name: Listing.name, schema: ListingSchema },
      { name: MarketplaceState.name, schema: MarketplaceStateSchema },
    ]), SegmentsModule],
  controllers: [ListingsController, AdminListingsController],
  providers: [ListingsRepository, ListingsService],
  exports: [ListingsRepository],
})
export class ListingsModule {}
