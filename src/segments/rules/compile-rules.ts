import type { Rule, RuleGroup, RuleNode } from './rule-language';

/** The only operator keys a compiled filter may contain. */
export const COMPILED_OPERATORS = ['$and', '$or', '$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists'] as const;

const OP_MAP = {
  eq: '$eq',
  neq: '$ne',
  in: '$in',
  nin: '$nin',
  gt: '$gt',
  gte: '$gte',
  lt: '$lt',
  lte: '$lte',
  exists: '$exists',
} as const;

/**
 * Compiles a parsed rule tree (see parseRules) into a MongoDB filter over `traits.<name>`. Operators come from
 * the fixed map above, field names from validated trait names, values are copied scalars: nothing the caller
 * wrote is used as a key.
 */
export function compileRules(group: RuleGroup): Record<string, unknown> {
  return compileNode(group);
}

function compileNode(node: RuleNode): Record<string, unknown> {
  if ('all' in node) return { $and: node.all.map(compileNode) };
  if ('any' in node) return { $or: node.any.map(compileNode) };
  return compileRule(node);
}

function compileRule(rule: Rule): Record<string, unknown> {
  const value = Array.isArray(rule.value) ? [...rule.value] : rule.value;
  return { [`traits.${rule.trait}`]: { [OP_MAP[rule.op]]: value } };
}
