import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';

export const LEDGER_KINDS = ['charge', 'refund', 'dispute_lost'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * Append-only record of money movements, one per (order, kind). Amounts are signed minor units from the
 * platform's point of view: a charge is positive, a refund or a lost dispute negative, so summing an order's
 * entries gives what is left of it. platformFee + sellerNet = amount.
 */
@Schema({ collection: 'ledgerEntries', versionKey: false })
export class LedgerEntry {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orderId: Types.ObjectId;
  @Prop({ type: String, required: true, enum: LEDGER_KINDS }) kind: LedgerKind;
  @Prop({ type: Number, required: true }) amount: number;
  @Prop({ type: Number, required: true }) platformFee: number;
  @Prop({ type: Number, required: true }) sellerNet: number;
  @Prop({ type: String, required: true }) currency: string;
  @Prop({ type: Date, required: true }) at: Date;
  @Prop({ type: String, required: true }) stripeEventId: string;
}
export type LedgerEntryDocument = HydratedDocument<LedgerEntry>;
export const LedgerEntrySchema = SchemaFactory.createForClass(LedgerEntry);
LedgerEntrySchema.index({ orderId: 1, kind: 1 }, { unique: true });
