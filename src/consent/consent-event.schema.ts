import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';
import { CONSENT_STATUSES, type ConsentStatus } from '../audiences/subject.schema';

/** Append-only ledger of consent changes; the repository exposes no update or delete. */
@Schema({ collection: 'consentEvents', versionKey: false })
export class ConsentEvent {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orgId: Types.ObjectId;
  /** Absent for an erasure of a subject that was in none of the publisher's audiences. */
  @Prop({ type: SchemaTypes.ObjectId }) audienceId?: Types.ObjectId;
  @Prop({ type: String, required: true }) subjectKey: string;
  @Prop({ type: String, required: true, enum: CONSENT_STATUSES }) status: ConsentStatus;
  @Prop({ type: [Number], default: [] }) purposes: number[];
  @Prop({ type: Boolean, required: true }) vendorConsent: boolean;
  @Prop({ type: String }) tcStringHash?: string;
  @Prop({ type: String, required: true }) source: string;
  /** When the person made the choice. */
  @Prop({ type: Date, required: true }) at: Date;
  /** When Audex recorded it. */
  @Prop({ type: Date, required: true }) recordedAt: Date;
}
export type ConsentEventDocument = HydratedDocument<ConsentEvent>;
export const ConsentEventSchema = SchemaFactory.createForClass(ConsentEvent);
ConsentEventSchema.index({ orgId: 1, subjectKey: 1, recordedAt: 1 });
