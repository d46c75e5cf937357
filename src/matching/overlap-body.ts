import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { isLowerHexCode, Sha256Set } from './sha256-set';

/**
 * The overlap body, read as it arrives. A million identifiers are a 67 MB JSON body; parsed whole (body-parser,
 * then JSON.parse) they are the bytes, a 67 MB string and a million strings in an array, all alive at once before
 * the count starts. Here each well-formed identifier goes from the request's bytes straight into a Sha256Set
 * (32 bytes), and nothing else of that size is held.
 *
 * The body is checked as JSON.parse would (any valid JSON is accepted, anything invalid is MALFORMED_JSON), and
 * the result keeps what parseOverlapRequest's checks need (key order, listingId, the identifiers' count and the
 * first one that is not a hash), so the answers, errors included, are those of the parsed-whole route.
 * Values other than the identifiers' elements are small or invalid; they are collected and JSON.parse'd.
 */
export type ParsedIdentifiers =
  | { kind: 'array'; count: number; firstInvalid: number; hashes: Sha256Set }
  | { kind: 'value'; value: unknown };

export class ParsedOverlapBody {
  constructor(
    /** false when the top-level value is not an object (an array: the body-parser's strict mode refuses the rest). */
    readonly isObject: boolean,
    /** The object's keys in first-appearance order, as Object.keys(JSON.parse(body)) would list them. */
    readonly keys: readonly string[],
    readonly listingId: unknown,
    readonly identifiers: ParsedIdentifiers | undefined,
  ) {}
}

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const BOM = [0xef, 0xbb, 0xbf];

class MalformedJson extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly type = 'entity.parse.failed';
  readonly expose = true;
  constructor() {
    super('Request body is not valid JSON');
  }
}

/** Collects one JSON value's bytes (a string, number, literal, object or array) and ends where the value ends. */
class ValueCollector {
  private chunks: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private started = false;

  /**
   * Consumes bytes of the value from `from`; returns the index just past its end, or -1 when it continues in
   * the next chunk. A number or literal ends before its delimiter, which is not consumed.
   */
  feed(b: Buffer, from: number): number {
    let i = from;
    if (!this.started) {
      this.started = true;
      const c = b[i];
      if (c === QUOTE) {
        this.inString = true;
        i++;
      } else if (c === 0x7b || c === 0x5b) {
        this.depth = 1;
        i++;
      } else {
        this.scalar = true;
      }
    }
    for (; i < b.length; i++) {
      const c = b[i];
      if (this.scalar) {
        if (WS(c) || c === 0x2c || c === 0x7d || c === 0x5d) return this.take(b, from, i);
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 0) return this.take(b, from, i + 1);
        }
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--this.depth === 0) return this.take(b, from, i + 1);
      }
    }
    this.chunks.push(b.subarray(from));
    return -1;
  }

  /** The value, when the body ends inside a number or literal (the only values that can end with the body). */
  value(): unknown {
    try {
      return JSON.parse(Buffer.concat(this.chunks).toString('utf8'));
    } catch {
      throw new MalformedJson();
    }
  }

  private take(b: Buffer, from: number, end: number): number {
    this.chunks.push(b.subarray(from, end));
    return end;
  }
}

const enum S {
  Start, // before the top-level value
  TopOther, // inside a top-level value that is not an object
  KeyOrEnd, // after "{"
  Key, // after ","
  KeyString,
  Colon,
  Value,
  ValueCollect,
  CommaOrEnd, // after a member of the object
  IdFirst, // after the identifiers' "["
  IdElement, // after "," in the identifiers
  IdHash, // inside an identifier that looks like a hash so far
  IdCollect, // inside any other element
  IdCommaOrEnd,
  Done,
}

export class OverlapBodyParser {
  private state = S.Start;
  private keys: string[] = [];
  private key = '';
  private listingId: unknown;
  private identifiers: ParsedIdentifiers | undefined;
  private collector: ValueCollector | null = null;
  /** An identifier split across chunks: its hex digits so far. */
  private readonly pending = Buffer.alloc(64);
  private pendingLength = 0;
  /** Bytes written so far, and how many of them were a byte-order mark. */
  private seen = 0;
  private bom = 0;
  private topIsObject = true;

  constructor(private readonly maxIdentifiers: number) {}

  write(b: Buffer): void {
    let i = 0;
    // A UTF-8 byte-order mark opening the body is dropped, as body-parser's decoding does.
    while (this.bom < 3 && this.state === S.Start && i < b.length && this.seen + i === this.bom && b[i] === BOM[this.bom]) {
      this.bom++;
      i++;
    }
    this.seen += b.length;
    const n = b.length;
    while (i < n) {
      const c = b[i];
      switch (this.state) {
        case S.Start:
          if (this.bom === 1 || this.bom === 2) throw new MalformedJson();
          if (WS(c)) i++;
          else if (c === 0x7b) {
            this.state = S.KeyOrEnd;
            i++;
          } else if (c === 0x5b) {
            this.topIsObject = false;
            this.collector = new ValueCollector();
            this.state = S.TopOther;
          } else throw new MalformedJson(); // strict: an object or an array, as body-parser's json()
          break;
        case S.TopOther: {
          const end = this.collector!.feed(b, i);
          if (end < 0) return;
          this.collector!.value();
          this.collector = null;
          this.state = S.Done;
          i = end;
          break;
        }
        case S.KeyOrEnd:
        case S.Key:
          if (WS(c)) i++;
          else if (c === QUOTE) {
            this.collector = new ValueCollector();
            this.state = S.KeyString;
          } else if (c === 0x7d && this.state === S.KeyOrEnd) {
            this.state = S.Done;
            i++;
          } else throw new MalformedJson();
          break;
        case S.KeyString: {
          const end = this.collector!.feed(b, i);
          if (end < 0) return;
          this.key = this.collector!.value() as string;
          this.collector = null;
          if (!this.keys.includes(this.key)) this.keys.push(this.key);
          this.state = S.Colon;
          i = end;
          break;
        }
        case S.Colon:
          if (WS(c)) i++;
          else if (c === 0x3a) {
            this.state = S.Value;
            i++;
          } else throw new MalformedJson();
          break;
        case S.Value:
          if (WS(c)) i++;
          else if (this.key === 'identifiers' && c === 0x5b) {
            this.identifiers = { kind: 'array', count: 0, firstInvalid: -1, hashes: new Sha256Set(1024) };
            this.state = S.IdFirst;
            i++;
          } else {
            this.collector = new ValueCollector();
            this.state = S.ValueCollect;
          }
          break;
        case S.ValueCollect: {
          const end = this.collector!.feed(b, i);
          if (end < 0) return;
          const value = this.collector!.value();
          this.collector = null;
          if (this.key === 'listingId') this.listingId = value;
          else if (this.key === 'identifiers') this.identifiers = { kind: 'value', value };
          this.state = S.CommaOrEnd;
          i = end;
          break;
        }
        case S.CommaOrEnd:
          if (WS(c)) i++;
          else if (c === 0x2c) {
            this.state = S.Key;
            i++;
          } else if (c === 0x7d) {
            this.state = S.Done;
            i++;
          } else throw new MalformedJson();
          break;
        case S.IdFirst:
        case S.IdElement:
          if (WS(c)) i++;
          else if (c === 0x5d && this.state === S.IdFirst) {
            this.state = S.CommaOrEnd;
            i++;
          } else if (c === QUOTE) {
            // The common case in one step: a whole 64-hex identifier in this chunk.
            if (i + 65 < n && b[i + 65] === QUOTE && allLowerHex(b, i + 1)) {
              this.addHash(b, i + 1);
              this.state = S.IdCommaOrEnd;
              i += 66;
            } else {
              this.pendingLength = 0;
              this.state = S.IdHash;
              i++;
            }
          } else {
            this.collector = new ValueCollector();
            this.state = S.IdCollect;
          }
          break;
        case S.IdHash:
          if (isLowerHexCode(c) && this.pendingLength < 64) {
            this.pending[this.pendingLength++] = c;
            i++;
          } else if (c === QUOTE && this.pendingLength === 64) {
            this.addHash(this.pending, 0);
            this.state = S.IdCommaOrEnd;
            i++;
          } else {
            // Not a plain hash (too short or long, escapes, other characters): collect it as a JSON string.
            this.collector = new ValueCollector();
            this.collector.feed(Buffer.concat([Buffer.from([QUOTE]), this.pending.subarray(0, this.pendingLength)]), 0);
            this.state = S.IdCollect;
          }
          break;
        case S.IdCollect: {
          const end = this.collector!.feed(b, i);
          if (end < 0) return;
          const value = this.collector!.value();
          this.collector = null;
          if (typeof value === 'string' && value.length === 64 && /^[0-9a-f]{64}$/.test(value)) this.addHashString(value);
          else this.addInvalid();
          this.state = S.IdCommaOrEnd;
          i = end;
          break;
        }
        case S.IdCommaOrEnd:
          if (WS(c)) i++;
          else if (c === 0x2c) {
            this.state = S.IdElement;
            i++;
          } else if (c === 0x5d) {
            this.state = S.CommaOrEnd;
            i++;
          } else throw new MalformedJson();
          break;
        case S.Done:
          if (WS(c)) i++;
          else throw new MalformedJson();
          break;
      }
    }
  }

  end(): ParsedOverlapBody {
    if (this.state === S.Start && this.seen === 0) return new ParsedOverlapBody(true, [], undefined, undefined); // empty body: {}
    if (this.state !== S.Done) throw new MalformedJson();
    return new ParsedOverlapBody(this.topIsObject, this.keys, this.listingId, this.identifiers);
  }

  private counted(): { kind: 'array'; count: number; firstInvalid: number; hashes: Sha256Set } {
    return this.identifiers as { kind: 'array'; count: number; firstInvalid: number; hashes: Sha256Set };
  }

  private addHash(bytes: Uint8Array, offset: number): void {
    const ids = this.counted();
    // Past the limit the request is refused; the rest is only checked as JSON, not kept.
    if (ids.count++ < this.maxIdentifiers && ids.firstInvalid < 0) ids.hashes.addAscii(bytes, offset);
  }

  private addHashString(hex: string): void {
    const ids = this.counted();
    if (ids.count++ < this.maxIdentifiers && ids.firstInvalid < 0) ids.hashes.add(hex);
  }

  private addInvalid(): void {
    const ids = this.counted();
    if (ids.firstInvalid < 0) ids.firstInvalid = ids.count;
    ids.count++;
  }
}

function allLowerHex(b: Uint8Array, from: number): boolean {
  for (let j = from; j < from + 64; j++) if (!isLowerHexCode(b[j])) return false;
  return true;
}

const httpError = (status: number, type: string, message: string) => Object.assign(new Error(message), { status, statusCode: status, type, expose: true });

/**
 * Express middleware for POST /v1/matching/overlap in place of express.json(): same content type (application/
 * json, UTF-8), encodings (identity, gzip, deflate, br) and size limit (decoded bytes), and the same error types
 * (the exception filter maps them), but req.body becomes a ParsedOverlapBody built while the body streams in.
 */
export function overlapBodyParser(limitBytes: number, maxIdentifiers: number): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is('application/json')) return next();
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') return next(httpError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`));
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    const decoders: Record<string, () => NodeJS.ReadWriteStream> = { gzip: createGunzip, deflate: createInflate, br: createBrotliDecompress };
    if (encoding !== 'identity' && !decoders[encoding]) return next(httpError(415, 'encoding.unsupported', `unsupported content encoding "${encoding}"`));
    const tooLarge = () => httpError(413, 'entity.too.large', 'request entity too large');
    if (encoding === 'identity' && Number(req.headers['content-length']) > limitBytes) return next(tooLarge());

    const stream: Readable = encoding === 'identity' ? req : (req.pipe(decoders[encoding]()) as unknown as Readable);
    const parser = new OverlapBodyParser(maxIdentifiers);
    let received = 0;
    let finished = false;
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      stream.removeAllListeners('data');
      if (!err) return next();
      // As body-parser: drop the decoder, read off the rest of the request, then answer the error.
      if (stream !== req) {
        req.unpipe();
        stream.on('error', () => {});
        stream.destroy();
      }
      if (req.complete || req.readableEnded) return next(err);
      let called = false;
      const once = () => {
        if (!called) {
          called = true;
          next(err);
        }
      };
      req.once('end', once);
      req.once('close', once);
      req.resume();
    };
    stream.on('data', (chunk: Buffer) => {
      if (finished) return;
      received += chunk.length;
      if (received > limitBytes) return finish(tooLarge());
      try {
        parser.write(chunk);
      } catch (e) {
        finish(e);
      }
    });
    stream.on('end', () => {
      if (finished) return;
      try {
        req.body = parser.end();
      } catch (e) {
        return finish(e);
      }
      finish();
    });
    stream.on('error', () => finish(httpError(400, 'encoding.failed', 'the body could not be decoded')));
    req.on('aborted', () => finish(httpError(400, 'request.aborted', 'request aborted')));
  };
}
