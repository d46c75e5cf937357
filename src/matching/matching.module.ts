import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ListingsModule } from '../listings/listings.module';
import { MarketplaceModule } from '../marketplace/marketplace.module';
import { SegmentsModule } from '../segments/segments.module';
import { MatchingController } from './matching.controller';
import { MatchingService } from './matching.service';
import { OverlapQueriesRepository } from './overlap-queries.repository';
import { OverlapQuery, OverlapQuerySchema } from './overlap-query.schema';
import { PrivacyModule } from './privacy.module';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: OverlapQuery.name, schema: OverlapQuerySchema }]),
    ListingsModule,
    SegmentsModule,
    MarketplaceModule,
    PrivacyModule,
  ],
  controllers: [MatchingController],
  providers: [OverlapQueriesRepository, MatchingService],
})
export class MatchingModule {}
