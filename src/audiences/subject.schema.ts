import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';

export const CONSENT_STATUSES = ['granted', 'denied', 'revoked'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** The subject's consent as it stands now (history is in consentEvents). */
export interface SubjectConsent {
  status: ConsentStatus;
  /** TCF purposes with consent (1..11). */
  purposes: number[];
  /** Consent for Audex's own TCF vendor id; explicit (non-TCF) consent sets it true when granted. */
  vendorConsent: boolean;
  /** SHA-256 of the TC string it came from, if any. */
  tcStringHash?: string;
  /** When the person gave or changed it (TC string's lastUpdated, or the record's `at`). */
  at: Date;
  source?: string;
}

/**
 * One member of one audience. `key` is the hex SHA-256 of the normalized primary identifier; raw identifiers
 * never reach this collection. Traits are flat, with names checked against ^[a-z][a-z0-9_]{0,63}$.
 */
@Schema({ collection: 'subjects', versionKey: false })
export class Subject {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orgId: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) audienceId: Types.ObjectId;
  @Prop({ type: String, required: true }) key: string;
  @Prop({ type: Object, default: {} }) ids: { emailSha256?: string; phoneSha256?: string; maid?: string };
  @Prop({ type: Object, default: {} }) traits: Record<string, string | number | boolean | string[]>;
  @Prop({ type: Object }) consent?: SubjectConsent;
  /** Channels this subject was seen on (source of the audience, collect channels). */
  @Prop({ type: [String], default: [] }) channels: string[];
  /** Latest touchpoint time reported through /v1/collect. */
  @Prop({ type: Date }) lastSeenAt?: Date;
  /** SHA-256 of the stored content: a re-sent identical record is recognised as unchanged. */
  @Prop({ type: String, required: true }) contentHash: string;
  @Prop({ type: Date, required: true }) createdAt: Date;
  @Prop({ type: Date, required: true }) updatedAt: Date;
}
export type SubjectDocument = HydratedDocument<Subject>;
export const SubjectSchema = SchemaFactory.createForClass(Subject);
SubjectSchema.index({ audienceId: 1, key: 1 }, { unique: true });
SubjectSchema.index({ orgId: 1, key: 1 });
