import { Types } from 'mongoose';
import type { Pricing, ListingStatus } from '../../src/listings/listing.schema';
import type { TestApp } from './app';
import type { Actor } from './builders';

export interface SeededListing {
  id: string;
  orgId: string;
  pricing: Pricing;
  licenseDays: number;
  title: string;
}

let n = 0;

/**
 * Inserts a listing straight into the collection, in the exact shape of src/listings/listing.schema.ts: a fixture for
 * suites about orders and money, where the listing is not what is tested. It also makes states the API cannot reach
 * (a listing owned by an advertiser's organization). The listing flow itself (segment → listing → submit → admin
 * approve) is tested through HTTP in listings, marketplace, deliveries and the demo (test/helpers/exchange.ts).
 */
export async function seedApprovedListing(
  t: TestApp,
  publisher: Pick<Actor, 'organizationId'>,
  opts: { pricing: Pricing; licenseDays: number; status?: ListingStatus; title?: string },
): Promise<SeededListing> {
  const now = new Date();
  const title = opts.title ?? `Seeded listing ${++n}`;
  const description = `Test audience ${n}`;
  const status = opts.status ?? 'approved';
  const sizeEstimate = 5000;
  const perThousand = opts.pricing.model === 'cpm' ? opts.pricing.amount : Math.round((opts.pricing.amount * 1000) / sizeEstimate);
  const doc = {
    _id: new Types.ObjectId(),
    orgId: new Types.ObjectId(publisher.organizationId),
    segmentId: new Types.ObjectId(),
    title,
    description,
    searchText: `${title} ${description}`.toLowerCase(),
    taxonomyIds: [101],
    pricing: opts.pricing,
    licenseDays: opts.licenseDays,
    requiredPurposes: [1, 3, 4],
    dataLabel: {},
    status,
    moderation: [],
    version: 1,
    countries: [],
    dataTypes: [],
    consentedSize: sizeEstimate,
    sizeEstimate,
    sortPrice: perThousand,
    ...(status === 'approved' ? { submittedAt: now, approvedAt: now } : {}),
    createdAt: now,
    updatedAt: now,
  };
  await t.connection.collection('listings').insertOne(doc);
  return { id: String(doc._id), orgId: publisher.organizationId, pricing: opts.pricing, licenseDays: opts.licenseDays, title };
}
