import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Subject, SubjectSchema } from '../audiences/subject.schema';
import { ConsentLedgerModule } from '../consent/consent-ledger.module';
import { Erasure, ErasureSchema } from '../consent/erasure.schema';
import { OrdersModule } from '../orders/orders.module';
import { SegmentsModule } from '../segments/segments.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository, DeliveryItemsRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';
import { DeliveryItem, DeliveryItemSchema } from './delivery-item.schema';
import { Delivery, DeliverySchema } from './delivery.schema';
import { Notice, NoticeSchema } from './notice.schema';
import { NoticesController } from './notices.controller';
import { NoticesRepository } from './notices.repository';
import { NoticesService } from './notices.service';
import { WEBHOOK_PUSHER_OPTIONS, WebhookPusher } from './webhook-push';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Delivery.name, schema: DeliverySchema },
      { name: DeliveryItem.name, schema: DeliveryItemSchema },
      { name: Notice.name, schema: NoticeSchema },
      // Read-only here: the data plane owns subjects and erasure tombstones.
      { name: Subject.name, schema: SubjectSchema },
      { name: Erasure.name, schema: ErasureSchema },
    ]),
    OrdersModule,
    SegmentsModule,
    ConsentLedgerModule,
  ],
  controllers: [DeliveriesController, NoticesController],
  providers: [
    DeliveriesRepository,
    DeliveryItemsRepository,
    DeliveriesService,
    NoticesRepository,
    NoticesService,
    WebhookPusher,
    // Production defaults; tests replace them (a resolver and an allow-list for a local receiver).
    { provide: WEBHOOK_PUSHER_OPTIONS, useValue: {} },
  ],
})
export class DeliveriesModule {}
