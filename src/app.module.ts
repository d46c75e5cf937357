import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AudiencesModule } from './audiences/audiences.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AuthenticationGuard } from './auth/authentication.guard';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { RateLimitGuard } from './common/rate-limit.guard';
import { ConfigModule } from './config/config.module';
import { ConsentModule } from './consent/consent.module';
import { DatabaseModule } from './database/database.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { HealthModule } from './health/health.module';
import { OrdersModule } from './orders/orders.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { PrivacyModule } from './matching/privacy.module';
import { CommonModule } from './common/common.module';
import { PaymentsModule } from './payments/payments.module';
import { PayoutsModule } from './payouts/payouts.module';
import { ListingsModule } from './listings/listings.module';
import { MarketplaceModule } from './marketplace/marketplace.module';
import { MatchingModule } from './matching/matching.module';
import { SegmentsModule } from './segments/segments.module';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    CommonModule,
    AuditModule,
    OrganizationsModule,
    AuthModule,
    HealthModule,
    OrdersModule,
    PaymentsModule,
    PayoutsModule,
    PrivacyModule,
    DeliveriesModule,
    SegmentsModule,
    ListingsModule,
    MarketplaceModule,
    AudiencesModule,
    ConsentModule,
    AnalyticsModule,
    MatchingModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
  ],
})
export class AppModule {}
