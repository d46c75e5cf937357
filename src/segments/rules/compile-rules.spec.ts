import fc from 'fast-check';
import { AppError } from '../../common/app-error';
import { COMPILED_OPERATORS, compileRules } from './compile-rules';
import { parseRules, RULE_LIMITS, RULE_OPS, traitNames } from './rule-language';

const TRAIT_KEY = /^traits\.[a-z][a-z0-9_]{0,63}$/;
const ALLOWED = new Set<string>(COMPILED_OPERATORS);

/** Every key in the filter is an allowed operator or traits.<validname>; every leaf is a scalar. */
function assertSafe(v: unknown): void {
  if (Array.isArray(v)) return v.forEach(assertSafe);
  if (v === null || typeof v !== 'object') {
    expect(['string', 'number', 'boolean']).toContain(typeof v);
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    expect(ALLOWED.has(k) || TRAIT_KEY.test(k)).toBe(true);
    assertSafe(x);
  }
}

const traitName = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
const rule = fc.oneof(
  fc.record({ trait: traitName, op: fc.constantFrom('eq', 'neq'), value: scalar }),
  fc.record({ trait: traitName, op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), value: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()) }),
  fc.record({ trait: traitName, op: fc.constantFrom('in', 'nin'), value: fc.array(scalar, { minLength: 1, maxLength: 5 }) }),
  fc.record({ trait: traitName, op: fc.constant('exists'), value: fc.boolean() }),
);
const { group: validGroup } = fc.letrec<{ group: unknown; node: unknown }>((tie) => ({
  group: fc.oneof(
    fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
  ),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, rule, rule, tie('group')),
}));

/** Valid shapes with hostile values and keys mixed in anywhere. */
const hostile = fc.letrec<{ any: unknown }>((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.constantFrom({ $where: 'sleep(100)' }, { $gt: '' }, { $ne: null }, '$where', { $expr: {} }, { __proto__: { $gt: 1 } }),
    fc.dictionary(fc.constantFrom('all', 'any', 'trait', 'op', 'value', '$where', '$or', 'traits.x', 'constructor'), tie('any'), { maxKeys: 3 }),
    fc.array(tie('any'), { maxLength: 3 }),
    fc.record({ trait: fc.oneof(traitName, fc.string()), op: fc.oneof(fc.constantFrom(...RULE_OPS), fc.string()), value: tie('any') }),
  ),
})).any;

function depth(g: any, d = 1): number {
  const children = g.all ?? g.any;
  return Math.max(d, ...children.filter((c: any) => 'all' in c || 'any' in c).map((c: any) => depth(c, d + 1)));
}

describe('rule compiler', () => {
  it('compiles the example to an $and over traits', () => {
    const rules = parseRules({
      all: [
        { trait: 'interests', op: 'eq', value: 'sport' },
        { trait: 'age', op: 'gte', value: 25 },
        { any: [{ trait: 'country', op: 'in', value: ['CMR', 'NGA'] }, { trait: 'vip', op: 'exists' }] },
      ],
    });
    expect(compileRules(rules)).toEqual({
      $and: [
        { 'traits.interests': { $eq: 'sport' } },
        { 'traits.age': { $gte: 25 } },
        { $or: [{ 'traits.country': { $in: ['CMR', 'NGA'] } }, { 'traits.vip': { $exists: true } }] },
      ],
    });
    expect(traitNames(rules).sort()).toEqual(['age', 'country', 'interests', 'vip']);
  });

  it.each([
    [{ all: [{ trait: 'a', op: 'eq', value: { $where: '1' } }] }, 'rules.all[0].value'],
    [{ all: [{ trait: 'a', op: '$where', value: '1' }] }, 'rules.all[0].op'],
    [{ all: [{ trait: 'a', op: 'in', value: [1, { $gt: 1 }] }] }, 'rules.all[0].value[1]'],
    [{ all: [{ any: [{ all: [{ any: [{ trait: 'a', op: 'eq', value: 1 }] }] }] }] }, 'rules.all[0].any[0].all[0]'],
    [{ all: [{ trait: 'a.b', op: 'eq', value: 1 }] }, 'rules.all[0].trait'],
  ])('rejects %j at %s', (input, path) => {
    try {
      parseRules(input);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('INVALID_RULE');
      expect(((e as AppError).details as { path: string }[]).map((d) => d.path)).toContain(path);
    }
  });

  it('property: every valid rule tree within limits compiles to a filter of allowed keys only', () => {
    fc.assert(
      fc.property(validGroup, (g) => {
        let parsed;
        try {
          parsed = parseRules(g);
        } catch (e) {
          // Only the documented limits may refuse a well-formed tree.
          const d = depth(g);
          const problems = ((e as AppError).details as { message: string }[]).map((p) => p.message).join(' ');
          expect(d > RULE_LIMITS.maxDepth || /at most/.test(problems)).toBe(true);
          return;
        }
        assertSafe(compileRules(parsed));
      }),
      { numRuns: 500 },
    );
  });

  it('property: arbitrary hostile JSON is either rejected with INVALID_RULE or compiles to allowed keys only', () => {
    fc.assert(
      fc.property(hostile, (input) => {
        let parsed;
        try {
          parsed = parseRules(input);
        } catch (e) {
          expect((e as AppError).code).toBe('INVALID_RULE');
          return;
        }
        assertSafe(compileRules(parsed));
      }),
      { numRuns: 2000 },
    );
  });
});
