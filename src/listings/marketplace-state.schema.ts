import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * One document, `_id: "listings"`, whose `token` changes (a fresh random value, not a counter: FerretDB's `$inc`
 * is read-then-write and could lose a concurrent bump) after every change to the set of approved listings.
 * Marketplace instances compare it on each search to know whether their in-memory snapshot is still current.
 */
@Schema({ collection: 'marketplaceState', versionKey: false })
export class MarketplaceState {
  @Prop({ type: String, required: true }) _id: string;
  @Prop({ type: String, required: true }) token: string;
  @Prop({ type: Date, required: true }) at: Date;
}
export const MarketplaceStateSchema = SchemaFactory.createForClass(MarketplaceState);
