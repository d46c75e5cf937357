import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types } from 'mongoose';

export type OrganizationKind = 'publisher' | 'advertiser' | 'platform';

@Schema({ collection: 'organizations', timestamps: true })
export class Organization {
  _id: Types.ObjectId;
  @Prop({ required: true, maxlength: 200 }) name: string;
  @Prop({ type: String, required: true, enum: ['publisher', 'advertiser', 'platform'] }) kind: OrganizationKind;
  @Prop({ type: String, required: true, enum: ['active', 'suspended'], default: 'active' }) status: 'active' | 'suspended';
  @Prop() stripeAccountId?: string;
  @Prop({ default: false }) chargesEnabled: boolean;
  @Prop({ default: false }) payoutsEnabled: boolean;
  @Prop() webhookUrl?: string;
  createdAt: Date;
  updatedAt: Date;
}
export type OrganizationDocument = HydratedDocument<Organization>;
export const OrganizationSchema = SchemaFactory.createForClass(Organization);
OrganizationSchema.index({ stripeAccountId: 1 }, { unique: true, sparse: true });
