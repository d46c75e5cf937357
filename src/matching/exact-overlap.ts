/**
 * The exact overlap between a submission and a segment, computed in the server and never shown as such: the
 * caller releases only a noised, rounded estimate (differential-privacy.ts).
 *
 * `memberKeys` streams the consented members' keys in batches (one cursor per audience, see
 * SegmentsService.consentedKeyBatches). Each key is looked up in the set of submitted hashes; a hit is removed
 * from the set, so a subject found again (the same person in a second audience) cannot count twice, and no
 * second "seen" set is needed. The set (a Sha256Set from the request, or any Set) is consumed: pass one built
 * for this call.
 */
export async function countDistinctMatches(
  memberKeys: AsyncIterable<readonly string[]> | Iterable<readonly string[]>,
  submitted: { readonly size: number; delete(key: string): boolean },
): Promise<number> {
  let matched = 0;
  for await (const batch of memberKeys) {
    for (let i = 0; i < batch.length; i++) if (submitted.delete(batch[i])) matched++;
    if (submitted.size === 0) break; // everything submitted was found: the rest cannot add anything
  }
  return matched;
}
