import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, SchemaTypes, Types } from 'mongoose';

export const EXCLUSION_REASONS = ['no_consent', 'denied', 'revoked', 'missing_purpose', 'no_vendor_consent', 'erased', 'over_quantity'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];
export type DeliveryFormat = 'ndjson' | 'csv';

export interface DeliveryManifest {
  recordCount: number;
  excluded: Record<ExclusionReason, number>;
  purposesRequired: number[];
  vendorId: number;
  consentSnapshotAt: Date;
  /** SHA-256 over the ascending delivered keys, each followed by "\n". */
  digest: string;
  /** Merkle root over the same keys (leaf = sha256(0x00‖key)), for per-subject inclusion proofs. */
  merkleRoot: string;
}

export interface PushOutcome {
  url: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: { code: string; message: string };
  at: Date;
}

/** One delivery of a paid order: what was selected, what was excluded and why, and the proof. */
@Schema({ collection: 'deliveries', timestamps: true })
export class Delivery {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orderId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) buyerOrgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) sellerOrgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) listingId: Types.ObjectId;
  @Prop({ type: String, required: true, enum: ['building', 'ready', 'failed'] }) status: 'building' | 'ready' | 'failed';
  @Prop({ type: String, required: true, enum: ['ndjson', 'csv'] }) format: DeliveryFormat;
  @Prop({ type: String, required: true, enum: ['download', 'webhook'] }) destinationType: 'download' | 'webhook';
  @Prop({ type: String }) webhookUrl?: string;
  @Prop({ type: Number, default: 0 }) recordCount: number;
  @Prop({ type: Number, default: 0 }) excludedNoConsent: number;
  @Prop({ type: Object }) manifest?: DeliveryManifest;
  @Prop({ type: Object }) push?: PushOutcome;
  @Prop({ type: Number, default: 0 }) rev: number;
  createdAt: Date;
  updatedAt: Date;
}
export type DeliveryDocument = HydratedDocument<Delivery>;
export const DeliverySchema = SchemaFactory.createForClass(Delivery);
DeliverySchema.index({ buyerOrgId: 1, _id: -1 });
DeliverySchema.index({ sellerOrgId: 1, _id: -1 });
DeliverySchema.index({ orderId: 1 });
