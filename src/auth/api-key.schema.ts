import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';
import type { ApiKeyScope } from '../common/auth.decorators';

/** A publisher's machine credential; the key is shown once, only its SHA-256 is kept. */
@Schema({ collection: 'apiKeys', versionKey: false })
export class ApiKey {
  _id: Types.ObjectId;
  @Prop({ required: true, type: SchemaTypes.ObjectId }) orgId: Types.ObjectId;
  @Prop({ required: true, type: SchemaTypes.ObjectId }) createdBy: Types.ObjectId;
  @Prop({ required: true, maxlength: 100 }) name: string;
  @Prop({ required: true }) prefix: string;
  @Prop({ required: true }) hash: string;
  @Prop({ type: [String], required: true }) scopes: ApiKeyScope[];
  @Prop({ required: true, default: () => new Date() }) createdAt: Date;
  @Prop({ type: Date, default: null }) lastUsedAt: Date | null;
  @Prop({ type: Date, default: null }) revokedAt: Date | null;
}
export type ApiKeyDocument = HydratedDocument<ApiKey>;
export const ApiKeySchema = SchemaFactory.createForClass(ApiKey);
ApiKeySchema.index({ prefix: 1 }, { unique: true });
ApiKeySchema.index({ orgId: 1, _id: -1 });
