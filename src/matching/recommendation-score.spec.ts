import { Types } from 'mongoose';
import { byScoreThenId, count, money, type ScoredListing, scoreListing, WEIGHTS } from './recommendation-score';

const K = 100;
function aListing(over: Partial<ScoredListing> = {}): ScoredListing {
  return {
    _id: new Types.ObjectId(),
    taxonomyIds: [663], // Soccer, under Sports (607) under Interest (206)
    taxonomyAncestorIds: [206, 607, 663],
    countries: ['CMR', 'FRA'],
    sizeEstimate: 1_200_000,
    sortPrice: 250,
    pricing: { model: 'cpm', amount: 250, currency: 'eur' },
    ...over,
  };
}

describe('scoreListing', () => {
  it('scores 0 with one reason for an empty brief', () => {
    expect(scoreListing(aListing(), { currency: 'eur' }, K)).toEqual({ score: 0, reasons: ['no criteria in the brief'] });
  });

  it('gives full taxonomy credit for the exact node and for a node under the requested one', () => {
    expect(scoreListing(aListing(), { taxonomyIds: [663], currency: 'eur' }, K)).toEqual({
      score: 100,
      reasons: ["matches taxonomy 'Soccer' (id 663)"],
    });
    expect(scoreListing(aListing(), { taxonomyIds: [607], currency: 'eur' }, K)).toEqual({
      score: 100,
      reasons: ["matches taxonomy 'Sports' (id 607) via 'Soccer' (id 663)"],
    });
  });

  it('gives partial credit to a parent, a sibling and a higher ancestor; none across the root', () => {
    const sports = aListing({ taxonomyIds: [607], taxonomyAncestorIds: [206, 607] });
    expect(scoreListing(sports, { taxonomyIds: [663], currency: 'eur' }, K)).toEqual({
      score: 60,
      reasons: ["broader taxonomy 'Sports' (id 607), parent of 'Soccer' (id 663)"],
    });
    const basketball = aListing({ taxonomyIds: [614], taxonomyAncestorIds: [206, 607, 614] });
    expect(scoreListing(basketball, { taxonomyIds: [663], currency: 'eur' }, K)).toEqual({
      score: 40,
      reasons: ["related taxonomy 'Basketball' (id 614), sibling of 'Soccer' (id 663)"],
    });
    // Rugby Union (659) → Rugby (657) → Sports (607): Sports is a higher, non-root ancestor.
    expect(scoreListing(sports, { taxonomyIds: [659], currency: 'eur' }, K).score).toBe(30);
    // Shopping (606) and Sports are both children of the root "Interest": unrelated.
    const shopping = aListing({ taxonomyIds: [606], taxonomyAncestorIds: [206, 606] });
    expect(scoreListing(shopping, { taxonomyIds: [607], currency: 'eur' }, K)).toEqual({
      score: 0,
      reasons: ["no taxonomy match for 'Sports' (id 607)"],
    });
  });

  it('averages taxonomy credit over the requested ids', () => {
    const r = scoreListing(aListing(), { taxonomyIds: [663, 669, 606], currency: 'eur' }, K);
    // Soccer exact (1), Tennis sibling (0.4), Shopping nothing (0): (1 + 0.4 + 0) / 3.
    expect(r.score).toBe(Math.round((100 * 1.4) / 3));
    expect(r.reasons).toEqual([
      "matches taxonomy 'Soccer' (id 663); related taxonomy 'Soccer' (id 663), sibling of 'Tennis' (id 669); no taxonomy match for 'Shopping' (id 606)",
    ]);
  });

  it('scores geography as the share of requested countries covered', () => {
    expect(scoreListing(aListing(), { countries: ['FRA', 'CMR', 'NGA'], currency: 'eur' }, K)).toEqual({
      score: 67,
      reasons: ['covers 2 of 3 requested countries: FRA, CMR'],
    });
    expect(scoreListing(aListing(), { countries: ['NGA'], currency: 'eur' }, K)).toEqual({
      score: 0,
      reasons: ['covers none of the requested countries (NGA)'],
    });
  });

  it('scores size linearly up to the minimum, and 0 for a "<k" listing', () => {
    expect(scoreListing(aListing({ sizeEstimate: 600 }), { minSize: 1000, currency: 'eur' }, K)).toEqual({
      score: 60,
      reasons: ['~600 records, under your minimum of 1k'],
    });
    expect(scoreListing(aListing(), { minSize: 1000, currency: 'eur' }, K)).toEqual({
      score: 100,
      reasons: ['~1.2M records, at least your minimum of 1k'],
    });
    expect(scoreListing(aListing({ sizeEstimate: 0 }), { minSize: 1000, currency: 'eur' }, K).score).toBe(0);
  });

  it('scores price 1 under the ceiling, falling to 0 at twice the ceiling, 0 in another currency', () => {
    expect(scoreListing(aListing(), { maxCpm: 400, currency: 'eur' }, K)).toEqual({ score: 100, reasons: ['CPM €2.50 under your €4.00 ceiling'] });
    expect(scoreListing(aListing({ sortPrice: 500 }), { maxCpm: 400, currency: 'eur' }, K)).toEqual({
      score: 75,
      reasons: ['CPM €5.00 over your €4.00 ceiling'],
    });
    expect(scoreListing(aListing({ sortPrice: 900 }), { maxCpm: 400, currency: 'eur' }, K).score).toBe(0);
    expect(scoreListing(aListing(), { maxCpm: 400, currency: 'usd' }, K)).toEqual({
      score: 0,
      reasons: ['priced in EUR, your ceiling is in USD'],
    });
    const flat = aListing({ pricing: { model: 'flat', amount: 50_000, currency: 'eur' }, sortPrice: 42 });
    expect(scoreListing(flat, { maxCpm: 42, currency: 'eur' }, K).reasons).toEqual(['CPM-equivalent €0.42 at your €0.42 ceiling']);
  });

  it('scores budget reach as the share of the listing the budget buys', () => {
    // €1,000 at €2.50 CPM buys 400k of 1.2M records.
    expect(scoreListing(aListing(), { budget: 100_000, currency: 'eur' }, K)).toEqual({
      score: 33,
      reasons: ['budget buys ~400k of ~1.2M records'],
    });
    expect(scoreListing(aListing({ sizeEstimate: 1000 }), { budget: 100_000, currency: 'eur' }, K)).toEqual({
      score: 100,
      reasons: ['budget buys all ~1k records'],
    });
    const flat = aListing({ pricing: { model: 'flat', amount: 50_000, currency: 'eur' }, sortPrice: 42 });
    expect(scoreListing(flat, { budget: 50_000, currency: 'eur' }, K)).toEqual({ score: 100, reasons: ['budget covers the flat price €500.00 for ~1.2M records'] });
    expect(scoreListing(flat, { budget: 30_000, currency: 'eur' }, K)).toEqual({ score: 0, reasons: ['flat price €500.00 is over your €300.00 budget'] });
    expect(scoreListing(aListing({ sizeEstimate: 0 }), { budget: 100_000, currency: 'eur' }, K).score).toBe(0);
  });

  it('weighs the components present and renormalises', () => {
    const brief = { taxonomyIds: [663], countries: ['FRA', 'NGA'], minSize: 1000, maxCpm: 400, budget: 100_000, currency: 'eur' };
    const r = scoreListing(aListing(), brief, K);
    const expected = (WEIGHTS.taxonomy * 1 + WEIGHTS.geography * 0.5 + WEIGHTS.size * 1 + WEIGHTS.price * 1 + WEIGHTS.reach * (400_000 / 1_200_000)) / 100;
    expect(r.score).toBe(Math.round(100 * expected));
    expect(r.reasons).toHaveLength(5);
    // Only geography and price: (20·0.5 + 15·1) / 35.
    expect(scoreListing(aListing(), { countries: ['FRA', 'NGA'], maxCpm: 400, currency: 'eur' }, K).score).toBe(Math.round((100 * 25) / 35));
  });

  it('always stays within 0..100', () => {
    for (const sortPrice of [1, 250, 10_000]) {
      for (const sizeEstimate of [0, 150, 10_000_000]) {
        const s = scoreListing(aListing({ sortPrice, sizeEstimate }), { taxonomyIds: [1, 663], countries: ['X'], minSize: 0, maxCpm: 1, budget: 1, currency: 'eur' }, K);
        expect(s.score).toBeGreaterThanOrEqual(0);
        expect(s.score).toBeLessThanOrEqual(100);
      }
    }
  });
});

describe('ordering and formatting', () => {
  it('orders by score, then id', () => {
    const items = [
      { id: 'b', score: 50 },
      { id: 'a', score: 50 },
      { id: 'c', score: 90 },
    ];
    expect(items.sort(byScoreThenId).map((i) => i.id)).toEqual(['c', 'a', 'b']);
  });

  it('formats counts and money', () => {
    expect([count(950), count(400_000), count(1_234_567)]).toEqual(['950', '400k', '1.2M']);
    expect([money(250, 'eur'), money(250, 'usd'), money(250, 'jpy')]).toEqual(['€2.50', '$2.50', '¥250']);
  });
});
