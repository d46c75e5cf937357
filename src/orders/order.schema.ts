import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';
import type { Pricing } from '../listings/listing.schema';

export const ORDER_STATUSES = ['pending_payment', 'paid', 'payment_failed', 'refunded', 'disputed', 'canceled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The listing's terms as they were when the order was placed. */
export interface ListingSnapshot {
  listingId: string;
  version: number;
  title: string;
  segmentId: string;
  pricing: Pricing;
  licenseDays: number;
  requiredPurposes: number[];
  taxonomyIds: number[];
}

export interface License {
  startsAt: Date;
  expiresAt: Date;
  endedAt?: Date;
  endReason?: 'refunded' | 'dispute_lost';
}

@Schema({ collection: 'orders', timestamps: true })
export class Order {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) buyerOrgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) buyerUserId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) sellerOrgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) listingId: Types.ObjectId;
  @Prop({ type: Object, required: true }) snapshot: ListingSnapshot;
  /** CPM orders: number of records bought (a multiple of 1000). Flat: absent. */
  @Prop({ type: Number }) quantity?: number;
  @Prop({ type: Number, required: true }) amount: number;
  @Prop({ type: Number, required: true }) platformFee: number;
  @Prop({ type: String, required: true }) currency: string;
  @Prop({ type: String, required: true, enum: ORDER_STATUSES, default: 'pending_payment' }) status: OrderStatus;
  @Prop({ type: String }) stripeCheckoutSessionId?: string;
  @Prop({ type: String }) stripePaymentIntentId?: string;
  @Prop({ type: String }) stripeChargeId?: string;
  @Prop({ type: String }) checkoutUrl?: string;
  @Prop({ type: Object }) license?: License;
  @Prop({ type: Date }) paidAt?: Date;
  @Prop({ type: Date }) refundedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}
export type OrderDocument = HydratedDocument<Order>;
export const OrderSchema = SchemaFactory.createForClass(Order);
OrderSchema.index({ buyerOrgId: 1, _id: -1 });
OrderSchema.index({ sellerOrgId: 1, _id: -1 });
OrderSchema.index({ listingId: 1 });
