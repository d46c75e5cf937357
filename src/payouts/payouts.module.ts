import { Module } from '@nestjs/common';
import { StripeModule } from '../payments/stripe.module';
import { PayoutsController } from './payouts.controller';
import { PayoutsService } from './payouts.service';

@Module({ imports: [StripeModule], controllers: [PayoutsController], providers: [PayoutsService] })
export class PayoutsModule {}
