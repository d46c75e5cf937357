import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';
import type { Role } from '../common/auth.decorators';

@Schema({ collection: 'users', timestamps: true })
export class User {
  _id: Types.ObjectId;
  @Prop({ required: true, type: SchemaTypes.ObjectId, index: true }) orgId: Types.ObjectId;
  @Prop({ required: true, lowercase: true, trim: true, maxlength: 254 }) email: string;
  @Prop({ required: true }) passwordHash: string;
  @Prop({ type: String, required: true, enum: ['publisher', 'advertiser', 'admin'] }) role: Role;
  @Prop({ type: String, required: true, enum: ['active', 'suspended'], default: 'active' }) status: 'active' | 'suspended';
  createdAt: Date;
  updatedAt: Date;
}
export type UserDocument = HydratedDocument<User>;
export const UserSchema = SchemaFactory.createForClass(User);
UserSchema.index({ email: 1 }, { unique: true });
