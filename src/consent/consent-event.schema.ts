import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';
import { CONSENT_STATUSES, type ConsentStatus } from '../audiences/subject.schema';

/** One consent change of one subject, as the ledger answers it. */
export interface ConsentEvent {
  orgId: Types.ObjectId;
  /** Absent for an erasure of a subject that was in none of the publisher's audiences. */
  audienceId?: Types.ObjectId;
  subjectKey: string;
  status: ConsentStatus;
  purposes: number[];
  vendorConsent: boolean;
  tcStringHash?: string;
  source: string;
  /** When the person made the choice. */
  at: Date;
  /** When Audex recorded it. */
  recordedAt: Date;
}

/** The subjects of one ledger entry that moved to the same consent state. */
@Schema({ _id: false, versionKey: false })
export class ConsentChangeGroup {
  @Prop({ type: SchemaTypes.ObjectId }) audienceId?: Types.ObjectId;
  @Prop({ type: String, required: true, enum: CONSENT_STATUSES }) status: ConsentStatus;
  @Prop({ type: [Number], default: [] }) purposes: number[];
  @Prop({ type: Boolean, required: true }) vendorConsent: boolean;
  @Prop({ type: String }) tcStringHash?: string;
  @Prop({ type: String, required: true }) source: string;
  @Prop({ type: Date, required: true }) at: Date;
  @Prop({ type: [String], required: true }) subjectKeys: string[];
}
const ConsentChangeGroupSchema = SchemaFactory.createForClass(ConsentChangeGroup);

/**
 * Append-only consent ledger. One entry is one append (a write batch of an upload, one `/v1/consent` call, one
 * erasure): the changes it recorded, grouped by the state the subjects moved to, so that a batch of a thousand
 * records sharing the same consent terms costs one small document, not a thousand. A subject key appears at most
 * once per entry; entries are ordered by (recordedAt, _id). The repository exposes no update or delete.
 */
@Schema({ collection: 'consentEvents', versionKey: false })
export class ConsentLedgerEntry {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orgId: Types.ObjectId;
  @Prop({ type: Date, required: true }) recordedAt: Date;
  @Prop({ type: [ConsentChangeGroupSchema], required: true }) groups: ConsentChangeGroup[];
}
export type ConsentLedgerEntryDocument = HydratedDocument<ConsentLedgerEntry>;
export const ConsentLedgerEntrySchema = SchemaFactory.createForClass(ConsentLedgerEntry);
ConsentLedgerEntrySchema.index({ orgId: 1, 'groups.subjectKeys': 1, recordedAt: 1 });
