import fc from 'fast-check';
import { csvItems, jsonArrayItems, limitBytes, ndjsonItems, type ReadItem } from './readers';

async function collect(gen: AsyncIterable<ReadItem>): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for await (const i of gen) out.push(i);
  return out;
}
async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('readers', () => {
  it('NDJSON: physical line numbers, CRLF, blank lines, split UTF-8', async () => {
    const text = '{"a":"é"}\r\n\n{"b":2}\nnot json\n{"c":3}';
    for (const size of [1, 2, 3, 1000]) {
      expect(await collect(ndjsonItems(chunks(text, size)))).toEqual([
        { line: 1, value: { a: 'é' } },
        { line: 3, value: { b: 2 } },
        { line: 4, error: { code: 'MALFORMED_JSON', message: expect.any(String) } },
        { line: 5, value: { c: 3 } },
      ]);
    }
  });

  it('JSON array: splits top-level elements whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 20 }), fc.integer({ min: 1, max: 64 }), async (values, size) => {
        const items = await collect(jsonArrayItems(chunks(JSON.stringify(values, null, 1), size)));
        expect(items).toEqual(values.map((v, i) => ({ line: i + 1, value: JSON.parse(JSON.stringify(v)) })));
      }),
    );
  });

  it('JSON array: refuses a body that is not an array; reports an unclosed one', async () => {
    await expect(collect(jsonArrayItems(chunks('{"a":1}', 4)))).rejects.toMatchObject({ code: 'MALFORMED_JSON' });
    expect(await collect(jsonArrayItems(chunks('[{"a":1},{"b"', 4)))).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: { code: 'MALFORMED_JSON', message: expect.any(String) } },
    ]);
  });

  it('CSV: header is line 1; quoted multi-field cells; bad rows reported', async () => {
    const items = await collect(csvItems(chunks('email,trait.city\na@x.io,"Lyon, FR"\nb@x.io,Paris,extra\nc@x.io,\n', 5)));
    expect(items).toEqual([
      { line: 2, value: { email: 'a@x.io', 'trait.city': 'Lyon, FR' } },
      { line: 3, error: { code: 'MALFORMED_CSV', message: expect.any(String) } },
      { line: 4, value: { email: 'c@x.io', 'trait.city': '' } },
    ]);
  });

  it('limitBytes: 413 past the limit', async () => {
    await expect(collect(ndjsonItems(limitBytes(chunks('{"a":1}\n'.repeat(10), 8), 40)))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});
