import mongoose from 'mongoose';

/**
 * mongoose runs with sanitizeFilter, which wraps any `{$op: …}` object found in a filter into `$eq` (so a
 * client's `{"$gt": ""}` cannot become an operator). Filters the server builds itself — compiled rules, keyset
 * cursors, status sets — are marked trusted here, recursively, so their operators keep their meaning. Never
 * call this on anything that holds client input other than validated scalars.
 */
export function trustFilter<T>(filter: T): T {
  if (Array.isArray(filter)) {
    filter.forEach((f) => trustFilter(f));
    return filter;
  }
  if (filter && typeof filter === 'object' && !(filter instanceof Date) && !(filter instanceof mongoose.Types.ObjectId)) {
    for (const [k, v] of Object.entries(filter as Record<string, unknown>)) {
      if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof mongoose.Types.ObjectId)) {
        trustFilter(v);
        if (!k.startsWith('$')) (filter as Record<string, unknown>)[k] = mongoose.trusted(v);
      }
    }
  }
  return filter;
}
