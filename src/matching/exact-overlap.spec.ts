import { countDistinctMatches } from './exact-overlap';

const hex = (i: number) => i.toString(16).padStart(64, '0');

async function* batches(keys: string[], size: number): AsyncGenerator<string[]> {
  for (let i = 0; i < keys.length; i += size) yield keys.slice(i, i + size);
}

describe('countDistinctMatches', () => {
  it('counts the submitted keys found among the members', async () => {
    const members = Array.from({ length: 1000 }, (_, i) => hex(i));
    const submitted = new Set([...Array.from({ length: 300 }, (_, i) => hex(i * 2)), hex(5000), hex(5001)]);
    await expect(countDistinctMatches(batches(members, 64), submitted)).resolves.toBe(300);
  });

  it('counts a member present in several audiences once', async () => {
    const audienceA = [hex(1), hex(2), hex(3)];
    const audienceB = [hex(2), hex(3), hex(4)];
    const submitted = new Set([hex(2), hex(3), hex(4), hex(9)]);
    await expect(countDistinctMatches([audienceA, audienceB], submitted)).resolves.toBe(3);
  });

  it('answers 0 for no members or no overlap, and stops early once everything is found', async () => {
    await expect(countDistinctMatches([], new Set([hex(1)]))).resolves.toBe(0);
    await expect(countDistinctMatches([[hex(1)]], new Set([hex(2)]))).resolves.toBe(0);
    let pulled = 0;
    async function* endless(): AsyncGenerator<string[]> {
      for (;;) {
        pulled++;
        yield [hex(pulled)];
      }
    }
    await expect(countDistinctMatches(endless(), new Set([hex(1), hex(2)]))).resolves.toBe(2);
    expect(pulled).toBe(2);
  });

  it('is exact on a large random case (against a naive count)', async () => {
    const members = Array.from({ length: 20_000 }, (_, i) => hex(i * 3));
    const submittedList = Array.from({ length: 10_000 }, (_, i) => hex(i * 5));
    const memberSet = new Set(members);
    const expected = new Set(submittedList.filter((k) => memberSet.has(k))).size;
    await expect(countDistinctMatches(batches(members, 1000), new Set(submittedList))).resolves.toBe(expected);
  });
});
