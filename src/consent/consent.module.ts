import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences/audiences.module';
import { ConsentLedgerModule } from './consent-ledger.module';
import { ConsentController } from './consent.controller';
import { ConsentService } from './consent.service';
import { ErasuresController } from './erasures.controller';
import { ErasuresService } from './erasures.service';

@Module({
  imports: [AudiencesModule, ConsentLedgerModule],
  controllers: [ConsentController, ErasuresController],
  providers: [ConsentService, ErasuresService],
})
export class ConsentModule {}
