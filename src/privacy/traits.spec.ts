import fc from 'fast-check';
import { DEFAULT_DENIED_TRAIT_TERMS } from '../config/config';
import { csvTraitValue, deniedTerm, TRAIT_LIMITS, validateTraits } from './traits';

const deny = DEFAULT_DENIED_TRAIT_TERMS;

describe('validateTraits', () => {
  it('accepts flat strings, numbers, booleans and string arrays', () => {
    const traits = { age_band: '25-34', visits: 3, subscriber: false, interests: ['sport', 'tech'] };
    expect(validateTraits(traits, deny)).toEqual({ ok: true, traits });
    expect(validateTraits(undefined, deny)).toEqual({ ok: true, traits: {} });
  });

  it.each([
    [[], 'INVALID_TRAITS'],
    [{ Age: 1 }, 'INVALID_TRAIT_NAME'],
    [{ '1st': 1 }, 'INVALID_TRAIT_NAME'],
    [{ ['a'.repeat(65)]: 1 }, 'INVALID_TRAIT_NAME'],
    [{ 'a.b': 1 }, 'INVALID_TRAIT_NAME'],
    [{ nested: { a: 1 } }, 'INVALID_TRAIT_VALUE'],
    [{ nums: [1, 2] }, 'INVALID_TRAIT_VALUE'],
    [{ s: 'x'.repeat(TRAIT_LIMITS.maxStringLength + 1) }, 'INVALID_TRAIT_VALUE'],
    [{ list: Array(TRAIT_LIMITS.maxArrayItems + 1).fill('x') }, 'INVALID_TRAIT_VALUE'],
    [{ n: Infinity }, 'INVALID_TRAIT_VALUE'],
    [{ n: null }, 'INVALID_TRAIT_VALUE'],
    [{ contact: 'jane@example.com' }, 'INVALID_TRAIT_VALUE'],
    [Object.fromEntries(Array.from({ length: TRAIT_LIMITS.maxTraits + 1 }, (_, i) => [`t${i}`, i])), 'TOO_MANY_TRAITS'],
    [{ health_score: 1 }, 'SPECIAL_CATEGORY_TRAIT'],
    [{ religion: 'x' }, 'SPECIAL_CATEGORY_TRAIT'],
    [{ likely_pregnant: true }, 'SPECIAL_CATEGORY_TRAIT'],
    [{ political_leaning: 'x' }, 'SPECIAL_CATEGORY_TRAIT'],
    [{ trade_union_member: true }, 'SPECIAL_CATEGORY_TRAIT'],
  ])('%j → %s', (traits, code) => {
    expect(validateTraits(traits, deny)).toMatchObject({ ok: false, code });
  });

  it('uses the configured deny-list, matching substrings', () => {
    expect(deniedTerm('my_custom_flag', ['custom'])).toBe('custom');
    expect(validateTraits({ health_score: 1 }, ['custom'])).toMatchObject({ ok: true });
    expect(validateTraits({ my_custom_flag: 1 }, ['custom'])).toMatchObject({ ok: false, code: 'SPECIAL_CATEGORY_TRAIT' });
  });

  it('accepts exactly the maximum sizes', () => {
    const max = Object.fromEntries(Array.from({ length: TRAIT_LIMITS.maxTraits }, (_, i) => [`t${i}`, 'x'.repeat(TRAIT_LIMITS.maxStringLength)]));
    expect(validateTraits(max, deny).ok).toBe(true);
    expect(validateTraits({ l: Array(TRAIT_LIMITS.maxArrayItems).fill('x') }, deny).ok).toBe(true);
  });

  it('never throws, whatever the input', () => {
    fc.assert(fc.property(fc.anything(), (v) => expect(typeof validateTraits(v, deny).ok).toBe('boolean')));
  });
});

describe('csvTraitValue', () => {
  it('types numbers and booleans, keeps the rest as strings', () => {
    expect(csvTraitValue('42')).toBe(42);
    expect(csvTraitValue('-1.5')).toBe(-1.5);
    expect(csvTraitValue('007')).toBe('007');
    expect(csvTraitValue('true')).toBe(true);
    expect(csvTraitValue('Lyon')).toBe('Lyon');
  });
});
