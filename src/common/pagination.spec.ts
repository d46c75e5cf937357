import fc from 'fast-check';
import { Types } from 'mongoose';
import { AppError } from './app-error';
import { encodeCursor, keysetQuery, toPage } from './pagination';

describe('keyset pagination', () => {
  it('walking pages of any sorted data yields every item once, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), fc.boolean(), (prices, limit, asc) => {
        const dir = asc ? 1 : -1;
        const docs = prices.map((price, i) => ({ _id: new Types.ObjectId(i.toString(16).padStart(24, '0')), price }));
        const sorted = [...docs].sort((a, b) => dir * (a.price - b.price) || dir * a._id.toHexString().localeCompare(b._id.toHexString()));
        const sort = { field: 'price', direction: dir as 1 | -1 };
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 100; guard++) {
          const page = applyFilter(sorted, keysetQuery(sort, cursor).filter).slice(0, limit + 1);
          const p = toPage(page, limit, sort, (d) => d._id.toHexString());
          seen.push(...p.items);
          if (!p.nextCursor) break;
          cursor = p.nextCursor;
        }
        expect(seen).toEqual(sorted.map((d) => d._id.toHexString()));
      }),
    );
  });

  it('rejects a tampered cursor with INVALID_CURSOR', () => {
    expect(() => keysetQuery({ field: 'price', direction: 1 }, 'garbage')).toThrow(AppError);
    const evil = Buffer.from(JSON.stringify({ v: { $gt: '' }, id: '5f0000000000000000000000' })).toString('base64url');
    expect(() => keysetQuery({ field: 'price', direction: 1 }, evil)).toThrow(/cursor/);
  });

  it('round-trips dates', () => {
    const d = new Date('2026-01-02T03:04:05.000Z');
    const id = new Types.ObjectId();
    const { filter } = keysetQuery({ field: 'createdAt', direction: -1 }, encodeCursor(d, id));
    expect(JSON.stringify(filter)).toContain('2026-01-02T03:04:05.000Z');
  });
});

/** A tiny evaluator of the filters keysetQuery produces ($or of $gt/$lt and equality). */
function applyFilter<T extends { _id: Types.ObjectId; price: number }>(docs: T[], filter: any): T[] {
  const cmp = (a: any, b: any) => (a instanceof Types.ObjectId ? a.toHexString().localeCompare(b.toHexString()) : a - b);
  const matches = (d: any, f: any): boolean =>
    Object.entries(f).every(([k, v]: [string, any]) => {
      if (k === '$or') return v.some((sub: any) => matches(d, sub));
      if (v && typeof v === 'object' && '$gt' in v) return cmp(d[k], v.$gt) > 0;
      if (v && typeof v === 'object' && '$lt' in v) return cmp(d[k], v.$lt) < 0;
      return d[k] === v;
    });
  return docs.filter((d) => matches(d, filter));
}
