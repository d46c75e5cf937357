import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, SchemaTypes, Types } from 'mongoose';

export type NoticeKind = 'erasure' | 'revocation';

/** Tells a buyer that a subject it received was erased or withdrew consent; open until acknowledged. */
@Schema({ collection: 'notices', versionKey: false })
export class Notice {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) buyerOrgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) sellerOrgId: Types.ObjectId;
  @Prop({ type: String, required: true, enum: ['erasure', 'revocation'] }) kind: NoticeKind;
  @Prop({ type: String, required: true }) subjectKey: string;
  /** Deliveries of this buyer that contained the subject. */
  @Prop({ type: [SchemaTypes.ObjectId], default: [] }) deliveryIds: Types.ObjectId[];
  /** The event the notice is about, so one event makes one notice per buyer. */
  @Prop({ type: String, required: true }) eventId: string;
  @Prop({ type: String, required: true, enum: ['pending', 'acknowledged'], default: 'pending' }) status: 'pending' | 'acknowledged';
  @Prop({ type: Date, required: true }) createdAt: Date;
  @Prop({ type: Date }) acknowledgedAt?: Date;
  @Prop({ type: SchemaTypes.ObjectId }) acknowledgedBy?: Types.ObjectId;
  /** HMAC over the notice's facts with the buyer's signing key, so a buyer can prove what it was told. */
  @Prop({ type: String, required: true }) signature: string;
  @Prop({ type: Object }) push?: { ok: boolean; attempts: number; status?: number; at: Date };
  @Prop({ type: Number, default: 0 }) rev: number;
}
export type NoticeDocument = HydratedDocument<Notice>;
export const NoticeSchema = SchemaFactory.createForClass(Notice);
NoticeSchema.index({ buyerOrgId: 1, eventId: 1 }, { unique: true });
NoticeSchema.index({ buyerOrgId: 1, status: 1, _id: -1 });
