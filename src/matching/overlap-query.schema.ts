import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, SchemaTypes, Types } from 'mongoose';

/** One overlap request, for analytics. Holds counts only: the submitted identifiers are never stored. */
@Schema({ collection: 'overlapQueries', versionKey: false })
export class OverlapQuery {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) listingId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) sellerOrgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) buyerOrgId: Types.ObjectId;
  @Prop({ type: Number, required: true }) submitted: number;
  @Prop({ type: Number, required: true }) epsilon: number;
  /** The estimate the buyer was shown (already public, so free to keep); absent when it was "<k". */
  @Prop({ type: Number }) matchedEstimate?: number;
  @Prop({ type: Date, required: true }) at: Date;
}
export type OverlapQueryDocument = HydratedDocument<OverlapQuery>;
export const OverlapQuerySchema = SchemaFactory.createForClass(OverlapQuery);
OverlapQuerySchema.index({ sellerOrgId: 1, at: 1 });
OverlapQuerySchema.index({ buyerOrgId: 1, at: 1 });
