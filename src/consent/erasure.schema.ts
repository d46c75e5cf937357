import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types, SchemaTypes } from 'mongoose';

/** Tombstone: blocks re-ingest of an erased subject until a record carries consent given after erasedAt. */
@Schema({ collection: 'erasures', versionKey: false })
export class Erasure {
  _id: Types.ObjectId;
  @Prop({ type: SchemaTypes.ObjectId, required: true }) orgId: Types.ObjectId;
  @Prop({ type: String, required: true }) subjectKey: string;
  @Prop({ type: Date, required: true }) erasedAt: Date;
}
export type ErasureDocument = HydratedDocument<Erasure>;
export const ErasureSchema = SchemaFactory.createForClass(Erasure);
ErasureSchema.index({ orgId: 1, subjectKey: 1 }, { unique: true });
