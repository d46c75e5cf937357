import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Delivery, DeliverySchema } from '../deliveries/delivery.schema';
import { Notice, NoticeSchema } from '../deliveries/notice.schema';
import { Listing, ListingSchema } from '../listings/listing.schema';
import { OverlapQuery, OverlapQuerySchema } from '../matching/overlap-query.schema';
import { Order, OrderSchema } from '../orders/order.schema';
import { Organization, OrganizationSchema } from '../organizations/organization.schema';
import { LedgerEntry, LedgerEntrySchema } from '../payments/ledger-entry.schema';
import { AdminAnalyticsController } from './admin-analytics.controller';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsRepository } from './analytics.repository';
import { AnalyticsService } from './analytics.service';

/** Read-only over collections other modules own; registers their schemas to query them, never writes. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Order.name, schema: OrderSchema },
      { name: LedgerEntry.name, schema: LedgerEntrySchema },
      { name: Listing.name, schema: ListingSchema },
      { name: Delivery.name, schema: DeliverySchema },
      { name: Notice.name, schema: NoticeSchema },
      { name: OverlapQuery.name, schema: OverlapQuerySchema },
      { name: Organization.name, schema: OrganizationSchema },
    ]),
  ],
  controllers: [AnalyticsController, AdminAnalyticsController],
  providers: [AnalyticsRepository, AnalyticsService],
})
export class AnalyticsModule {}
