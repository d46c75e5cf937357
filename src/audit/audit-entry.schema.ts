import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types } from 'mongoose';

/** Append-only: the repository exposes no update or delete. */
@Schema({ collection: 'auditLog', versionKey: false })
export class AuditEntry {
  _id: Types.ObjectId;
  @Prop({ required: true, default: () => new Date() }) at: Date;
  @Prop({ required: true }) action: string;
  @Prop() actorId?: string;
  @Prop() actorRole?: string;
  @Prop({ required: true }) targetType: string;
  @Prop() targetId?: string;
  @Prop() orgId?: string;
  @Prop() reason?: string;
  @Prop({ type: Object }) details?: Record<string, unknown>;
}
export type AuditEntryDocument = HydratedDocument<AuditEntry>;
export const AuditEntrySchema = SchemaFactory.createForClass(AuditEntry);
AuditEntrySchema.index({ targetId: 1, _id: -1 });
AuditEntrySchema.index({ actorId: 1, _id: -1 });
AuditEntrySchema.index({ action: 1, _id: -1 });
