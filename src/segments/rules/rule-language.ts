import { AppError } from '../../common/app-error';

/**
 * The segment rule language. Input is free-form JSON, so it is checked here key by key and value by value
 * before anything is compiled: only the shapes below survive, everything else is a 400 INVALID_RULE.
 *
 *   group = { all: [node, …] } | { any: [node, …] }        (exactly one of the two keys)
 *   node  = group | rule
 *   rule  = { trait, op, value }                           (value omitted only for `exists`, default true)
 */
export const RULE_OPS = ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;
export type RuleOp = (typeof RULE_OPS)[number];
export type Scalar = string | number | boolean;

export interface Rule {
  trait: string;
  op: RuleOp;
  value: Scalar | Scalar[];
}
export type RuleGroup = { all: RuleNode[] } | { any: RuleNode[] };
export type RuleNode = Rule | RuleGroup;

export const TRAIT_NAME = /^[a-z][a-z0-9_]{0,63}$/;
export const RULE_LIMITS = {
  /** Groups nested inside groups: the top-level group is depth 1. */
  maxDepth: 3,
  maxRules: 50,
  maxChildren: 20,
  maxListValues: 100,
  maxStringLength: 200,
} as const;

export interface RuleProblem {
  path: string;
  message: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

class Checker {
  readonly problems: RuleProblem[] = [];
  rules = 0;

  fail(path: string, message: string): undefined {
    if (this.problems.length < 20) this.problems.push({ path, message });
    return undefined;
  }

  group(v: unknown, path: string, depth: number): RuleGroup | undefined {
    if (!isPlainObject(v)) return this.fail(path, 'must be an object {all: [...]} or {any: [...]}');
    const keys = Object.keys(v);
    if (keys.length !== 1 || (keys[0] !== 'all' && keys[0] !== 'any')) {
      return this.fail(path, 'a group has exactly one key, all or any');
    }
    if (depth > RULE_LIMITS.maxDepth) return this.fail(path, `groups nest at most ${RULE_LIMITS.maxDepth} deep`);
    const kind = keys[0] as 'all' | 'any';
    const children = v[kind];
    if (!Array.isArray(children) || children.length === 0) return this.fail(`${path}.${kind}`, 'must be a non-empty array');
    if (children.length > RULE_LIMITS.maxChildren) {
      return this.fail(`${path}.${kind}`, `at most ${RULE_LIMITS.maxChildren} entries per group`);
    }
    const nodes: RuleNode[] = [];
    children.forEach((c, i) => {
      const p = `${path}.${kind}[${i}]`;
      const node = isPlainObject(c) && ('all' in c || 'any' in c) ? this.group(c, p, depth + 1) : this.rule(c, p);
      if (node) nodes.push(node);
    });
    return kind === 'all' ? { all: nodes } : { any: nodes };
  }

  rule(v: unknown, path: string): Rule | undefined {
    if (!isPlainObject(v)) return this.fail(path, 'must be a rule {trait, op, value} or a group');
    if (++this.rules > RULE_LIMITS.maxRules) return this.fail(path, `at most ${RULE_LIMITS.maxRules} rules`);
    for (const k of Object.keys(v)) {
      if (k !== 'trait' && k !== 'op' && k !== 'value') return this.fail(`${path}.${k}`, 'unknown key');
    }
    const { trait, op, value } = v;
    if (typeof trait !== 'string' || !TRAIT_NAME.test(trait)) {
      return this.fail(`${path}.trait`, 'must match ^[a-z][a-z0-9_]{0,63}$');
    }
    if (typeof op !== 'string' || !(RULE_OPS as readonly string[]).includes(op)) {
      return this.fail(`${path}.op`, `must be one of ${RULE_OPS.join(', ')}`);
    }
    const checked = this.value(op as RuleOp, value, `${path}.value`);
    if (checked === undefined) return undefined;
    return { trait, op: op as RuleOp, value: checked };
  }

  value(op: RuleOp, v: unknown, path: string): Scalar | Scalar[] | undefined {
    switch (op) {
      case 'exists':
        if (v === undefined) return true;
        return typeof v === 'boolean' ? v : this.fail(path, 'must be true or false');
      case 'in':
      case 'nin': {
        if (!Array.isArray(v) || v.length === 0) return this.fail(path, 'must be a non-empty array');
        if (v.length > RULE_LIMITS.maxListValues) return this.fail(path, `at most ${RULE_LIMITS.maxListValues} values`);
        const out: Scalar[] = [];
        for (const [i, x] of v.entries()) {
          const s = this.scalar(x, `${path}[${i}]`);
          if (s === undefined) return undefined;
          out.push(s);
        }
        return out;
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if (typeof v === 'boolean') return this.fail(path, 'must be a number or a string');
        return this.scalar(v, path);
      default:
        return this.scalar(v, path);
    }
  }

  scalar(v: unknown, path: string): Scalar | undefined {
    if (typeof v === 'string') {
      return v.length <= RULE_LIMITS.maxStringLength ? v : this.fail(path, `at most ${RULE_LIMITS.maxStringLength} characters`);
    }
    if (typeof v === 'number') return Number.isFinite(v) ? v : this.fail(path, 'must be a finite number');
    if (typeof v === 'boolean') return v;
    return this.fail(path, 'must be a string, number or boolean');
  }
}

/** Checks untrusted JSON and returns a fresh, typed copy holding nothing but the allowed shapes. */
export function parseRules(input: unknown): RuleGroup {
  const c = new Checker();
  const group = c.group(input, 'rules', 1);
  if (!group || c.problems.length) {
    throw AppError.badRequest('INVALID_RULE', 'The segment rules are not valid', c.problems);
  }
  return group;
}

/** Every trait name a rule tree refers to, once each. */
export function traitNames(group: RuleGroup): string[] {
  const names = new Set<string>();
  const walk = (n: RuleNode) => {
    if ('all' in n) n.all.forEach(walk);
    else if ('any' in n) n.any.forEach(walk);
    else names.add(n.trait);
  };
  walk(group);
  return [...names];
}
