import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument } from 'mongoose';

/**
 * One row per listing state change, keyed `<listingId>:<stateSeq>`. Inserting it is the claim on that change:
 * `_id` is unique on every MongoDB-wire server, so of two moderators acting on the same state exactly one
 * insert succeeds. MongoDB's findOneAndUpdate is atomic on its own, but FerretDB (the embedded default) applies
 * it as read-then-write by _id, so the filter's expected state alone would not stop a concurrent second write.
 */
@Schema({ collection: 'listingTransitions', versionKey: false })
export class ListingTransition {
  @Prop({ type: String, required: true }) _id: string;
  @Prop({ type: String, required: true }) listingId: string;
  @Prop({ type: String, required: true }) action: string;
  @Prop({ type: Date, required: true }) at: Date;
}
export type ListingTransitionDocument = HydratedDocument<ListingTransition>;
export const ListingTransitionSchema = SchemaFactory.createForClass(ListingTransition);
