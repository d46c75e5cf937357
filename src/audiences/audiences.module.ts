import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConsentLedgerModule } from '../consent/consent-ledger.module';
import { Audience, AudienceSchema } from './audience.schema';
import { AudiencesController } from './audiences.controller';
import { AudiencesRepository } from './audiences.repository';
import { AudiencesService } from './audiences.service';
import { CollectController } from './collect.controller';
import { IngestService } from './ingest/ingest.service';
import { SubjectBatchWriter } from './ingest/subject-batch.writer';
import { Subject, SubjectSchema } from './subject.schema';
import { SubjectsRepository } from './subjects.repository';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Audience.name, schema: AudienceSchema },
      { name: Subject.name, schema: SubjectSchema },
    ]),
    ConsentLedgerModule,
  ],
  controllers: [AudiencesController, CollectController],
  providers: [AudiencesRepository, SubjectsRepository, AudiencesService, IngestService, SubjectBatchWriter],
  exports: [AudiencesRepository, SubjectsRepository, AudiencesService],
})
export class AudiencesModule {}
