import { ROWS } from './iab-audience-taxonomy-1.1';

export interface TaxonomyNode {
  id: number;
  parentId: number | null;
  name: string;
  /** "Interest | Sports | Soccer" */
  path: string;
}

/**
 * Subtrees refused outright, whatever their node names say: GDPR Art. 9 special categories (health, religion,
 * politics). Name matching against the denied terms catches the rest (e.g. "Religious (Music and Audio)").
 */
export const SENSITIVE_SUBTREES: readonly number[] = [
  381, // Interest | Health and Medical Services
  406, // Interest | Healthy Living (health data by inference)
  466, // Interest | Medical Health
  529, // Interest | News and Politics | Politics
  550, // Interest | Pharmaceuticals, Conditions, and Symptoms
  765, // Purchase Intent | Apps | Medical Apps
];
/** Names that match a denied term by accident and are not special-category data. */
export const NOT_SENSITIVE: readonly number[] = [
  659, // Rugby Union ("union" targets trade-union membership)
];

const byId = new Map<number, TaxonomyNode>();
for (const [id, parentId, name] of ROWS) byId.set(id, { id, parentId, name, path: name });
for (const node of byId.values()) {
  const names: string[] = [];
  for (let n: TaxonomyNode | undefined = node; n; n = n.parentId === null ? undefined : byId.get(n.parentId)) names.unshift(n.name);
  node.path = names.join(' | ');
}

export function taxonomyNode(id: number): TaxonomyNode | undefined {
  return byId.get(id);
}

export function taxonomySize(): number {
  return byId.size;
}

/** True when the node, or one of its ancestors, is special-category data. */
export function isSensitiveNode(id: number, deniedTerms: readonly string[]): boolean {
  if (NOT_SENSITIVE.includes(id)) return false;
  for (let n = byId.get(id); n; n = n.parentId === null ? undefined : byId.get(n.parentId)) {
    if (SENSITIVE_SUBTREES.includes(n.id)) return true;
    const words = n.name.toLowerCase();
    if (deniedTerms.some((t) => new RegExp(`(^|[^a-z])${t.replace(/[^a-z0-9_]/g, '')}`).test(words))) return true;
  }
  return false;
}

export type TaxonomyProblem = { id: number; code: 'UNKNOWN_TAXONOMY_ID' | 'SENSITIVE_TAXONOMY' };

export function checkTaxonomyIds(ids: readonly number[], deniedTerms: readonly string[]): TaxonomyProblem | undefined {
  for (const id of ids) {
    if (!byId.has(id)) return { id, code: 'UNKNOWN_TAXONOMY_ID' };
  }
  for (const id of ids) {
    if (isSensitiveNode(id, deniedTerms)) return { id, code: 'SENSITIVE_TAXONOMY' };
  }
  return undefined;
}
