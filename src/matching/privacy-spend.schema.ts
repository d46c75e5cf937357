import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, SchemaTypes, type Types } from 'mongoose';

/**
 * One unit of ε an advertiser organisation spent on one listing. `_id` is `<orgId>:<listingId>:<slot>`, slots
 * 0..floor(budget/ε)-1: the unique `_id` is what makes spending atomic, also on FerretDB (see privacy-budget.ts).
 */
@Schema({ collection: 'privacySpends', versionKey: false })
export class PrivacySpend {
  @Prop({ type: String, required: true }) _id: string;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) listingId: Types.ObjectId;
  @Prop({ type: Number, required: true }) slot: number;
  @Prop({ type: Number, required: true }) epsilon: number;
  @Prop({ type: Date, required: true, default: () => new Date() }) at: Date;
}
export type PrivacySpendDocument = HydratedDocument<PrivacySpend>;
export const PrivacySpendSchema = SchemaFactory.createForClass(PrivacySpend);
PrivacySpendSchema.index({ orgId: 1, listingId: 1 });
