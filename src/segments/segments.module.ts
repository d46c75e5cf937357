import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Audience, AudienceSchema } from '../audiences/audience.schema';
import { Subject, SubjectSchema } from '../audiences/subject.schema';
import { AudienceDataRepository } from './audience-data.repository';
import { Segment, SegmentSchema } from './segment.schema';
import { SegmentsController } from './segments.controller';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Segment.name, schema: SegmentSchema },
      // Registered here too (read-only use); the audiences module owns these collections.
      { name: Audience.name, schema: AudienceSchema },
      { name: Subject.name, schema: SubjectSchema },
    ]),
  ],
  controllers: [SegmentsController],
  providers: [SegmentsRepository, AudienceDataRepository, SegmentsService],
  exports: [SegmentsService],
})
export class SegmentsModule {}
