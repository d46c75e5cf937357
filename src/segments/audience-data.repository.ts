import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { Audience } from '../audiences/audience.schema';
import { Subject } from '../audiences/subject.schema';
import { trustFilter } from './rules/trusted-filter';

export interface MemberFacts {
  idTypes: { emailSha256: boolean; phoneSha256: boolean; maid: boolean };
  countries: string[];
  channels: string[];
  oldestUpdatedAt: Date | null;
  newestUpdatedAt: Date | null;
}

/**
 * Read-only access to the data plane's `audiences` and `subjects` collections, for segment sizing and Data
 * Labels. The audiences module owns writes; this class never modifies either collection.
 */
@Injectable()
export class AudienceDataRepository {
  constructor(
    @InjectModel(Audience.name) private readonly audiences: Model<Audience>,
    @InjectModel(Subject.name) private readonly subjects: Model<Subject>,
  ) {}

  findOwnedAudiences(orgId: string, ids: string[]): Promise<Audience[]> {
    return this.audiences
      .find(trustFilter({ orgId: new Types.ObjectId(orgId), _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }))
      .lean<Audience[]>()
      .exec();
  }

  async traitExists(orgId: Types.ObjectId, audienceIds: Types.ObjectId[], trait: string): Promise<boolean> {
    const found = await this.subjects
      .findOne(trustFilter({ orgId, audienceId: { $in: audienceIds }, [`traits.${trait}`]: { $exists: true } }))
      .select({ _id: 1 })
      .lean()
      .exec();
    return found !== null;
  }

  countMembers(filter: Record<string, unknown>): Promise<number> {
    return this.subjects.countDocuments(trustFilter(structuredCloneFilter(filter))).exec();
  }

  /**
   * The `key` of every subject matching `filter`, streamed in batches of up to `batchSize` (the driver's
   * buffered documents), projecting nothing else. Batches stay small enough to die young: at 10,000 keys they
   * outlived the garbage collector's young generation, and over a 1M-member scan the promoted garbage grew the
   * heap by about 100 MiB between full collections. Goes through the driver cursor directly: a mongoose
   * document per member would cost more than the rest of an overlap put together. The filter is built by the
   * server (compiled rules, ObjectIds); no client value reaches it.
   */
  async *keyBatches(filter: Record<string, unknown>, batchSize = 2_000): AsyncGenerator<string[]> {
    const cursor = this.subjects.collection.find<{ key: string }>(structuredCloneFilter(filter), {
      projection: { key: 1, _id: 0 },
      batchSize,
    });
    try {
      while (await cursor.hasNext()) {
        const first = await cursor.next();
        const docs = first ? [first, ...cursor.readBufferedDocuments()] : cursor.readBufferedDocuments();
        yield docs.map((d) => d.key);
      }
    } finally {
      await cursor.close();
    }
  }

  /** What the members' data can tell a buyer, using only stages FerretDB runs ($match, $unwind, $group/$sum, $sort, $limit). */
  async memberFacts(filter: Record<string, unknown>, topN: number): Promise<MemberFacts> {
    const has = async (path: string) =>
      (await this.subjects
        .findOne(trustFilter({ $and: [structuredCloneFilter(filter), { [path]: { $exists: true } }] }))
        .select({ _id: 1 })
        .lean()
        .exec()) !== null;
    const [emailSha256, phoneSha256, maid, countries, channels, oldest, newest] = await Promise.all([
      has('ids.emailSha256'),
      has('ids.phoneSha256'),
      has('ids.maid'),
      this.subjects
        .aggregate<{ _id: unknown }>([
          { $match: { $and: [filter, { 'traits.country': { $exists: true } }] } },
          { $group: { _id: '$traits.country', n: { $sum: 1 } } },
          { $sort: { n: -1, _id: 1 } },
          { $limit: topN },
        ])
        .exec(),
      this.subjects
        .aggregate<{ _id: unknown }>([
          { $match: filter },
          { $unwind: '$channels' },
          { $group: { _id: '$channels', n: { $sum: 1 } } },
          { $sort: { n: -1, _id: 1 } },
          { $limit: topN },
        ])
        .exec(),
      this.edgeUpdatedAt(filter, 1),
      this.edgeUpdatedAt(filter, -1),
    ]);
    return {
      idTypes: { emailSha256, phoneSha256, maid },
      countries: countries.map((c) => String(c._id)),
      channels: channels.map((c) => String(c._id)),
      oldestUpdatedAt: oldest,
      newestUpdatedAt: newest,
    };
  }

  private async edgeUpdatedAt(filter: Record<string, unknown>, direction: 1 | -1): Promise<Date | null> {
    const doc = await this.subjects
      .findOne(trustFilter(structuredCloneFilter(filter)))
      .sort({ updatedAt: direction })
      .select({ updatedAt: 1 })
      .lean<{ updatedAt: Date }>()
      .exec();
    return doc?.updatedAt ?? null;
  }
}

/** trustFilter marks objects in place; work on a copy so one filter can serve several queries. */
function structuredCloneFilter(filter: Record<string, unknown>): Record<string, unknown> {
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (v instanceof Types.ObjectId || v instanceof Date) return v;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
    return v;
  };
  return copy(filter) as Record<string, unknown>;
}
