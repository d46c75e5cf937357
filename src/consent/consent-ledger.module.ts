import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConsentLedgerEntry, ConsentLedgerEntrySchema } from './consent-event.schema';
import { ConsentRepository } from './consent.repository';
import { Erasure, ErasureSchema } from './erasure.schema';
import { ErasuresRepository } from './erasures.repository';
import { SubjectEventsHook } from './subject-events';

/**
 * The consent ledger and erasure tombstones, shared by ingest (audiences) and the consent/erasure routes
 * (consent), so neither module has to import the other's controllers.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ConsentLedgerEntry.name, schema: ConsentLedgerEntrySchema },
      { name: Erasure.name, schema: ErasureSchema },
    ]),
  ],
  providers: [ConsentRepository, ErasuresRepository, SubjectEventsHook],
  exports: [ConsentRepository, ErasuresRepository, SubjectEventsHook],
})
export class ConsentLedgerModule {}
