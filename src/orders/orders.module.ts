import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Listing, ListingSchema } from '../listings/listing.schema';
import { StripeModule } from '../payments/stripe.module';
import { ListingsReader } from './listings.reader';
import { Order, OrderSchema } from './order.schema';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Order.name, schema: OrderSchema },
      // Read-only here (ListingsReader); the listings module owns the collection.
      { name: Listing.name, schema: ListingSchema },
    ]),
    StripeModule,
  ],
  controllers: [OrdersController],
  providers: [OrdersRepository, OrdersService, ListingsReader],
  exports: [OrdersRepository],
})
export class OrdersModule {}
