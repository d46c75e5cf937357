import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';
import type { RuleGroup } from './rules/rule-language';

@Schema({ collection: 'segments', timestamps: true })
export class Segment {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orgId: Types.ObjectId;
  @Prop({ type: String, required: true, maxlength: 200 }) name: string;
  @Prop({ type: [SchemaTypes.ObjectId], required: true }) audienceIds: Types.ObjectId[];
  /** The validated rule tree, stored as given; compiled again on every count. */
  @Prop({ type: Object, required: true }) rules: RuleGroup;
  /** Exact member count across the audiences (private to the owner). */
  @Prop({ type: Number, required: true, default: 0 }) size: number;
  /** Members whose consent covers TCF purposes 1, 3 and 4 and the vendor. */
  @Prop({ type: Number, required: true, default: 0 }) consentedSize: number;
  @Prop({ type: Date, required: true }) computedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}
export type SegmentDocument = HydratedDocument<Segment>;
export const SegmentSchema = SchemaFactory.createForClass(Segment);
SegmentSchema.index({ orgId: 1, _id: -1 });
