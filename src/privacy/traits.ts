/**
 * Trait validation: flat objects of bounded scalars, no GDPR special categories (Art. 9), no contact data.
 * Pure, so segments can check rule trait names with the same rules.
 */

export type TraitValue = string | number | boolean | string[];
export type Traits = Record<string, TraitValue>;

export const TRAIT_LIMITS = {
  maxTraits: 100,
  maxStringLength: 256,
  maxArrayItems: 50,
} as const;

export const TRAIT_NAME = /^[a-z][a-z0-9_]{0,63}$/;
// A trait value that looks like an email address would smuggle a raw identifier past hashing.
const LOOKS_LIKE_EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;

export interface TraitError {
  code: 'INVALID_TRAITS' | 'TOO_MANY_TRAITS' | 'INVALID_TRAIT_NAME' | 'INVALID_TRAIT_VALUE' | 'SPECIAL_CATEGORY_TRAIT';
  message: string;
}
export type TraitsResult = { ok: true; traits: Traits } | ({ ok: false } & TraitError);

const fail = (code: TraitError['code'], message: string): TraitsResult => ({ ok: false, code, message });

/** The deny-list term found in a trait name (substring match, case-insensitive), if any. */
export function deniedTerm(name: string, deniedTerms: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return deniedTerms.find((t) => t && lower.includes(t));
}

function validString(s: string): boolean {
  return s.length <= TRAIT_LIMITS.maxStringLength && !LOOKS_LIKE_EMAIL.test(s);
}

export function validateTraits(input: unknown, deniedTerms: readonly string[]): TraitsResult {
  if (input === undefined || input === null) return { ok: true, traits: {} };
  if (typeof input !== 'object' || Array.isArray(input)) return fail('INVALID_TRAITS', 'traits must be an object');
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > TRAIT_LIMITS.maxTraits) {
    return fail('TOO_MANY_TRAITS', `at most ${TRAIT_LIMITS.maxTraits} traits per record`);
  }
  const traits: Traits = {};
  for (const [name, value] of entries) {
    // Names are ours to echo (not personal data) only once they pass the pattern.
    if (!TRAIT_NAME.test(name)) return fail('INVALID_TRAIT_NAME', 'trait names must match ^[a-z][a-z0-9_]{0,63}$');
    const term = deniedTerm(name, deniedTerms);
    if (term) return fail('SPECIAL_CATEGORY_TRAIT', `trait "${name}" is in a GDPR special category (matches "${term}")`);
    if (typeof value === 'string') {
      if (!validString(value)) return fail('INVALID_TRAIT_VALUE', `trait "${name}": strings are at most ${TRAIT_LIMITS.maxStringLength} characters and may not hold an email address`);
      traits[name] = value;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return fail('INVALID_TRAIT_VALUE', `trait "${name}" must be a finite number`);
      traits[name] = value;
    } else if (typeof value === 'boolean') {
      traits[name] = value;
    } else if (Array.isArray(value)) {
      if (value.length > TRAIT_LIMITS.maxArrayItems || !value.every((v) => typeof v === 'string' && validString(v))) {
        return fail('INVALID_TRAIT_VALUE', `trait "${name}": arrays hold at most ${TRAIT_LIMITS.maxArrayItems} strings of at most ${TRAIT_LIMITS.maxStringLength} characters`);
      }
      traits[name] = [...value] as string[];
    } else {
      return fail('INVALID_TRAIT_VALUE', `trait "${name}" must be a string, number, boolean or array of strings`);
    }
  }
  return { ok: true, traits };
}

/** Typed reading of CSV cells: integers/decimals become numbers, true/false booleans, the rest strings. */
export function csvTraitValue(cell: string): TraitValue {
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(cell)) return Number(cell);
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  return cell;
}
