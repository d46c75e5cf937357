import { Module } from '@nestjs/common';
import { ListingsModule } from '../listings/listings.module';
import { MarketplaceController } from './marketplace.controller';
import { MarketplaceService } from './marketplace.service';
import { MarketplaceSnapshot } from './marketplace.snapshot';

@Module({
  imports: [ListingsModule],
  controllers: [MarketplaceController],
  providers: [MarketplaceSnapshot, MarketplaceService],
  exports: [MarketplaceSnapshot],
})
export class MarketplaceModule {}
