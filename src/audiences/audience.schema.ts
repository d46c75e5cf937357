import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';

export const AUDIENCE_SOURCES = ['web', 'mobile', 'email', 'crm', 'call_center', 'store', 'partner'] as const;
export type AudienceSource = (typeof AUDIENCE_SOURCES)[number];
export const DATA_TYPES = ['first_party', 'second_party', 'third_party'] as const;
export type DataType = (typeof DATA_TYPES)[number];

@Schema({ collection: 'audiences', timestamps: true })
export class Audience {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orgId: Types.ObjectId;
  @Prop({ type: String, required: true, maxlength: 200 }) name: string;
  @Prop({ type: String, maxlength: 2000 }) description?: string;
  @Prop({ type: String, required: true, enum: AUDIENCE_SOURCES }) source: AudienceSource;
  @Prop({ type: String, required: true, enum: DATA_TYPES }) dataType: DataType;
  /** Maintained by ingest/erasure; recount on demand for exactness. */
  @Prop({ type: Number, default: 0 }) subjectCount: number;
  @Prop({ type: Date }) lastIngestAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}
export type AudienceDocument = HydratedDocument<Audience>;
export const AudienceSchema = SchemaFactory.createForClass(Audience);
AudienceSchema.index({ orgId: 1, _id: -1 });
