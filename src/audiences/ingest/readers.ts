import { parse as parseCsv } from 'csv-parse';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../common/app-error';

/**
 * Streaming readers for the three upload formats. Each yields one item per record with its line number,
 * either a parsed value or a per-line error, holding at most one record in memory beyond the stream buffers.
 */
export interface ReadItem {
  /** NDJSON/CSV: 1-based physical line (the CSV header is line 1); JSON array: element index + 1. */
  line: number;
  value?: unknown;
  error?: { code: string; message: string };
}

/** A single record larger than this is refused (it would otherwise be buffered whole). */
export const MAX_RECORD_BYTES = 64 * 1024;

export function payloadTooLarge(maxBytes: number): AppError {
  return new AppError(413, 'PAYLOAD_TOO_LARGE', `The upload exceeds ${maxBytes} bytes`);
}

/** Passes the body through, counting bytes; more than maxBytes ends the upload with 413. */
export async function* limitBytes(source: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > maxBytes) throw payloadTooLarge(maxBytes);
    yield buf;
  }
}

function parseJsonValue(text: string, line: number): ReadItem {
  try {
    return { line, value: JSON.parse(text) };
  } catch {
    return { line, error: { code: 'MALFORMED_JSON', message: 'the record is not valid JSON' } };
  }
}

/** NDJSON: one JSON value per line; blank lines are skipped but counted. */
export async function* ndjsonItems(body: AsyncIterable<Buffer>): AsyncGenerator<ReadItem> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  let oversized = false;
  const emit = (text: string): ReadItem | null => {
    line++;
    if (oversized) {
      oversized = false;
      return { line, error: { code: 'RECORD_TOO_LARGE', message: `a record may not exceed ${MAX_RECORD_BYTES} bytes` } };
    }
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (!trimmed.trim()) return null;
    return parseJsonValue(trimmed, line);
  };
  for await (const chunk of body) {
    pending += decoder.write(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const item = emit(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      if (item) yield item;
    }
    if (pending.length > MAX_RECORD_BYTES) {
      oversized = true;
      pending = '';
    }
  }
  pending += decoder.end();
  if (pending.length || oversized) {
    const item = emit(pending);
    if (item) yield item;
  }
}

/**
 * A JSON array read element by element: tracks strings, escapes and nesting depth to find the commas that
 * separate top-level elements, and parses each element on its own.
 */
export async function* jsonArrayItems(body: AsyncIterable<Buffer>): AsyncGenerator<ReadItem> {
  const decoder = new StringDecoder('utf8');
  let state = 'start' as 'start' | 'inside' | 'done';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let oversized = false;
  let index = 0;
  const notArray = () => AppError.badRequest('MALFORMED_JSON', 'The body must be a JSON array of records');

  const finishElement = (): ReadItem | null => {
    const text = current.trim();
    current = '';
    if (!text && !oversized) return null;
    index++;
    if (oversized) {
      oversized = false;
      return { line: index, error: { code: 'RECORD_TOO_LARGE', message: `a record may not exceed ${MAX_RECORD_BYTES} bytes` } };
    }
    return parseJsonValue(text, index);
  };

  const consume = function* (text: string): Generator<ReadItem> {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (state === 'start') {
        if (c === '[') {
          state = 'inside';
          start = i + 1;
        } else if (!/\s/.test(c) && c !== '\ufeff') throw notArray();
        continue;
      }
      if (state === 'done') {
        if (!/\s/.test(c)) throw notArray();
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0 && c === ']') {
          if (!oversized) current += text.slice(start, i);
          const item = finishElement();
          if (item) yield item;
          state = 'done';
          continue;
        }
        depth--;
      } else if (c === ',' && depth === 0) {
        if (!oversized) current += text.slice(start, i);
        const item = finishElement();
        // An empty element ("[1,,2]") is a malformed record, not nothing.
        yield item ?? { line: ++index, error: { code: 'MALFORMED_JSON', message: 'empty array element' } };
        start = i + 1;
      }
    }
    if (state === 'inside' && !oversized) {
      current += text.slice(start);
      if (current.length > MAX_RECORD_BYTES) {
        oversized = true;
        current = '';
      }
    }
  };

  for await (const chunk of body) yield* consume(decoder.write(chunk));
  yield* consume(decoder.end());
  if (state !== 'done') {
    if (state === 'start') throw notArray();
    // Truncated body: the unterminated element is reported, the complete ones were already yielded.
    yield { line: index + 1, error: { code: 'MALFORMED_JSON', message: 'the array is not closed' } };
  }
}

export const CSV_FIXED_COLUMNS = [
  'email', 'email_sha256', 'phone', 'phone_sha256', 'maid',
  'consent_status', 'consent_purposes', 'consent_at', 'tc_string',
] as const;

/** CSV with a header row; records come out as column → cell maps (empty cells dropped). */
export async function* csvItems(body: AsyncIterable<Buffer>): AsyncGenerator<ReadItem> {
  const skipped: ReadItem[] = [];
  const parser = parseCsv({
    bom: true,
    columns: (header: string[]) => {
      const cols = header.map((h) => String(h).trim());
      const bad = cols.find((c) => !(CSV_FIXED_COLUMNS as readonly string[]).includes(c) && !/^trait\.[a-z][a-z0-9_]{0,63}$/.test(c));
      if (bad !== undefined) {
        throw AppError.badRequest('INVALID_CSV_HEADER', `Unknown CSV column "${bad.slice(0, 80)}"; expected ${CSV_FIXED_COLUMNS.join(', ')} or trait.<name>`);
      }
      if (new Set(cols).size !== cols.length) throw AppError.badRequest('INVALID_CSV_HEADER', 'Duplicate CSV column');
      return cols;
    },
    info: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  parser.on('skip', (err: any) => {
    skipped.push({ line: Number(err?.lines ?? 0), error: { code: 'MALFORMED_CSV', message: 'the row is not valid CSV or has the wrong number of cells' } });
  });
  const input = Readable.from(body);
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  // The parser runs ahead of this loop, so a skipped row may be reported before earlier records are read here.
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (skipped.length && skipped[0].line < rec.info.lines) yield skipped.shift()!;
    yield { line: rec.info.lines, value: rec.record };
  }
  while (skipped.length) yield skipped.shift()!;
}
