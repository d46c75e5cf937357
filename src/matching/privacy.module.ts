import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PrivacyBudget } from './privacy-budget';
import { PrivacySpend, PrivacySpendSchema } from './privacy-spend.schema';
import { PrivacySpendsRepository } from './privacy-spends.repository';

@Module({
  imports: [MongooseModule.forFeature([{ name: PrivacySpend.name, schema: PrivacySpendSchema }])],
  providers: [PrivacySpendsRepository, PrivacyBudget],
  exports: [PrivacyBudget],
})
export class PrivacyModule {}
