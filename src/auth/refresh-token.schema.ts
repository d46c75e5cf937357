import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';

/** One refresh token of a rotation family; only its SHA-256 is stored. Expired rows are swept. */
@Schema({ collection: 'refreshTokens', versionKey: false })
export class RefreshToken {
  _id: Types.ObjectId;
  @Prop({ required: true, type: SchemaTypes.ObjectId }) userId: Types.ObjectId;
  @Prop({ required: true }) familyId: string;
  @Prop({ required: true }) tokenHash: string;
  @Prop({ required: true }) expiresAt: Date;
  @Prop({ required: true, default: () => new Date() }) createdAt: Date;
  @Prop({ type: Date, default: null }) usedAt: Date | null;
  @Prop({ type: Date, default: null }) revokedAt: Date | null;
}
export type RefreshTokenDocument = HydratedDocument<RefreshToken>;
export const RefreshTokenSchema = SchemaFactory.createForClass(RefreshToken);
RefreshTokenSchema.index({ tokenHash: 1 }, { unique: true });
RefreshTokenSchema.index({ familyId: 1 });
RefreshTokenSchema.index({ userId: 1 });
RefreshTokenSchema.index({ expiresAt: 1 });
