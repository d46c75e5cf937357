import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { OrdersModule } from '../orders/orders.module';
import { AdminOrdersController } from './admin-orders.controller';
import { LedgerEntry, LedgerEntrySchema } from './ledger-entry.schema';
import { LedgerRepository } from './ledger.repository';
import { PaymentsController } from './payments.controller';
import { RefundsService } from './refunds.service';
import { StripeEventRecord, StripeEventSchema } from './stripe-event.schema';
import { StripeEventsRepository } from './stripe-events.repository';
import { StripeModule } from './stripe.module';
import { WebhookService } from './webhook.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: StripeEventRecord.name, schema: StripeEventSchema },
      { name: LedgerEntry.name, schema: LedgerEntrySchema },
    ]),
    StripeModule,
    OrdersModule,
  ],
  controllers: [PaymentsController, AdminOrdersController],
  providers: [WebhookService, RefundsService, StripeEventsRepository, LedgerRepository],
  exports: [LedgerRepository],
})
export class PaymentsModule {}
