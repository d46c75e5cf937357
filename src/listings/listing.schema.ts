import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';

export const LISTING_STATUSES = ['draft', 'pending_review', 'approved', 'rejected', 'suspended', 'archived'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];
export type PricingModel = 'cpm' | 'flat';

export interface Pricing {
  model: PricingModel;
  /** Minor units: per thousand records for cpm, the whole price for flat. */
  amount: number;
  currency: string;
}

export interface ModerationEvent {
  action: 'submit' | 'approve' | 'reject' | 'suspend' | 'reinstate' | 'archive' | 'edit';
  from: ListingStatus;
  to: ListingStatus;
  actorId: string;
  reason?: string;
  at: Date;
}

@Schema({ collection: 'listings', timestamps: true })
export class Listing {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) segmentId: Types.ObjectId;
  @Prop({ type: String, required: true, maxlength: 200 }) title: string;
  @Prop({ type: String, required: true, maxlength: 5000 }) description: string;
  /** Lower-cased title + description, for escaped substring search (no text index on FerretDB). */
  @Prop({ type: String, required: true }) searchText: string;
  @Prop({ type: [Number], default: [] }) taxonomyIds: number[];
  /** taxonomyIds plus all their ancestors, so filtering by "Sports" finds "Soccer". */
  @Prop({ type: [Number], default: [] }) taxonomyAncestorIds: number[];
  @Prop({ type: Object, required: true }) pricing: Pricing;
  @Prop({ type: Number, required: true }) licenseDays: number;
  /** TCF purposes a buyer's use needs; delivery checks them (default 1, 3, 4). */
  @Prop({ type: [Number], default: [1, 3, 4] }) requiredPurposes: number[];
  @Prop({ type: Object, default: {} }) dataLabel: Record<string, unknown>;
  @Prop({ type: String, required: true, enum: LISTING_STATUSES, default: 'draft' }) status: ListingStatus;
  @Prop({ type: String }) rejectionReason?: string;
  @Prop({ type: String }) suspensionReason?: string;
  @Prop({ type: [Object], default: [] }) moderation: ModerationEvent[];
  @Prop({ type: Number, default: 1 }) version: number;
  /** Denormalized public facts for marketplace filters; set when the listing is submitted/approved. */
  @Prop({ type: String }) publisherName?: string;
  @Prop({ type: [String], default: [] }) countries: string[];
  @Prop({ type: [String], default: [] }) dataTypes: string[];
  /** Exact consented size at submission (private), and the public rounded+noised estimate (0 when under k). */
  @Prop({ type: Number, default: 0 }) consentedSize: number;
  @Prop({ type: Number, default: 0 }) sizeEstimate: number;
  /** Price per thousand records in minor units, comparable across models for sorting and maxPrice. */
  @Prop({ type: Number, default: 0 }) sortPrice: number;
  @Prop({ type: Date }) submittedAt?: Date;
  @Prop({ type: Date }) approvedAt?: Date;
  /** Bumped by every state transition (see common/state-claims.ts). */
  @Prop({ type: Number, default: 0 }) rev: number;
  /** Set at approval, so "newest" sorts by when a listing reached the marketplace. */
  @Prop({ type: Date }) listedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}
export type ListingDocument = HydratedDocument<Listing>;
export const ListingSchema = SchemaFactory.createForClass(Listing);
ListingSchema.index({ orgId: 1, _id: -1 });
ListingSchema.index({ status: 1, _id: -1 });
ListingSchema.index({ status: 1, sortPrice: 1, _id: 1 });
ListingSchema.index({ status: 1, sizeEstimate: 1, _id: 1 });
ListingSchema.index({ status: 1, listedAt: -1, _id: -1 });
ListingSchema.index({ status: 1, submittedAt: 1, _id: 1 });
