import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, SchemaTypes, Types } from 'mongoose';
import type { SubjectConsent } from '../audiences/subject.schema';

/**
 * One subject delivered in one delivery, with the consent it was delivered under (the proof) and the data
 * sent (hashed ids and traits). Erasure strips `ids` and `traits` but keeps the key and consent as proof.
 */
@Schema({ collection: 'deliveryItems', versionKey: false })
export class DeliveryItem {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) deliveryId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) buyerOrgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) sellerOrgId: Types.ObjectId;
  @Prop({ type: String, required: true }) key: string;
  @Prop({ type: Object, required: true }) consent: SubjectConsent;
  @Prop({ type: Object }) ids?: Record<string, string>;
  @Prop({ type: Object }) traits?: Record<string, unknown>;
  @Prop({ type: Date }) erasedAt?: Date;
  @Prop({ type: Date }) revokedAt?: Date;
}
export type DeliveryItemDocument = HydratedDocument<DeliveryItem>;
export const DeliveryItemSchema = SchemaFactory.createForClass(DeliveryItem);
DeliveryItemSchema.index({ deliveryId: 1, key: 1 }, { unique: true });
DeliveryItemSchema.index({ sellerOrgId: 1, key: 1 });
