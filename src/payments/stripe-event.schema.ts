import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';

/** One record per Stripe event id: the insert claims the event; processedAt says it was fully applied. */
@Schema({ collection: 'stripeEvents', versionKey: false })
export class StripeEventRecord {
  @Prop({ type: String, required: true }) _id: string;
  @Prop({ type: String, required: true }) type: string;
  @Prop({ type: Date, required: true }) receivedAt: Date;
  @Prop({ type: Date }) processedAt?: Date;
}
export type StripeEventDocument = HydratedDocument<StripeEventRecord>;
export const StripeEventSchema = SchemaFactory.createForClass(StripeEventRecord);
