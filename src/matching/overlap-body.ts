import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type Many, none } from 'stream-chain/defs.js';
import { Assembler } from 'stream-json/core/assembler.js';
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { isDigest, Sha256Set } from './sha256-set';

/**
 * The overlap body, read as it arrives. A million identifiers are a 67 MB JSON body; parsed whole (body-parser,
 * then JSON.parse) they are the bytes, a 67 MB string and a million strings in an array, all alive at once before
 * the count starts. Here the body goes through stream-json's tokenizer chunk by chunk, each identifier goes
 * straight into a Sha256Set (32 bytes), and nothing else of that size is held.
 *
 * The tokenizer accepts exactly what JSON.parse accepts (anything else is MALFORMED_JSON), and the result keeps
 * what parseOverlapRequest's checks need (the keys they report, listingId, the identifiers' count and the first
 * one that is not a hash), so the answers, errors included, are those of the parsed-whole route.
 */
export type ParsedIdentifiers =
  | { kind: 'array'; count: number; firstInvalid: number; hashes: Sha256Set }
  | { kind: 'value'; value: unknown };

export class ParsedOverlapBody {
  constructor(
    /** false when the top-level value is not an object (an array: the body-parser's strict mode refuses the rest). */
    readonly isObject: boolean,
    /**
     * The object's keys as Object.keys(JSON.parse(body)) lists them (array indices first, ascending, then the rest
     * in first-appearance order), up to the first that is neither listingId nor identifiers: the checks report
     * that one and look no further.
     */
    readonly keys: readonly string[],
    readonly listingId: unknown,
    readonly identifiers: ParsedIdentifiers | undefined,
  ) {}
}

class MalformedJson extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly type = 'entity.parse.failed';
  readonly expose = true;
  constructor() {
    super('Request body is not valid JSON');
  }
}

type IdentifierArray = Extract<ParsedIdentifiers, { kind: 'array' }>;
/** stream-json's tokenizer: text in, tokens out; called with `none` once the text is over. */
type Tokenizer = (text: string | typeof none) => Many<Token> | typeof none;

/** The members of the overlap body. */
const MEMBERS: readonly string[] = ['listingId', 'identifiers'];

/** A key that an object lists before all others, in numeric order: an array index (0 to 2^32 - 2). */
const isArrayIndex = (key: string) => /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;

export class OverlapBodyParser {
  private readonly tokenizer = jsonParser({ packValues: true, streamValues: false }) as unknown as Tokenizer;
  /** UTF-8 as body-parser decodes it: a leading byte-order mark dropped, invalid sequences replaced. */
  private readonly decoder = new TextDecoder('utf-8');
  private started = false;
  private depth = 0;
  private isObject = true;
  private key = '';
  /** Keys other than array indices, in first-appearance order, up to the first unknown one. */
  private named: string[] = [];
  private smallestIndex: string | undefined;
  private listingId: unknown;
  private identifiers: ParsedIdentifiers | undefined;
  /** The identifiers' array while it is read. */
  private array: IdentifierArray | null = null;
  /** listingId, or identifiers that is not an array, while it is assembled. */
  private member: Assembler | null = null;

  /**
   * `expectedIdentifiers` sizes the set up front (from the body's length), so that it is not copied into a
   * twice-larger one as it fills; pages of the set that are never written are never resident.
   */
  constructor(
    private readonly maxIdentifiers: number,
    private readonly expectedIdentifiers = 1024,
  ) {}

  write(b: Buffer): void {
    if (b.length === 0) return;
    this.started = true;
    this.tokenize(this.decoder.decode(b, { stream: true }));
  }

  end(): ParsedOverlapBody {
    if (!this.started) return new ParsedOverlapBody(true, [], undefined, undefined); // empty body: {}
    this.tokenize(this.decoder.decode());
    this.tokenize(none);
    const keys = this.smallestIndex === undefined ? this.named : [this.smallestIndex];
    return new ParsedOverlapBody(this.isObject, keys, this.listingId, this.identifiers);
  }

  private tokenize(text: string | typeof none): void {
    if (text === '') return;
    let out;
    try {
      out = this.tokenizer(text);
    } catch {
      throw new MalformedJson();
    }
    if (out !== none) for (const token of out.values) this.take(token);
  }

  private take(t: Token): void {
    const depth = this.depth;
    if (t.name === 'startObject' || t.name === 'startArray') this.depth++;
    else if (t.name === 'endObject' || t.name === 'endArray') this.depth--;
    if (depth === 0) {
      // Strict, as body-parser's json(): an object or an array at the top.
      if (t.name !== 'startObject' && t.name !== 'startArray') throw new MalformedJson();
      this.isObject = t.name === 'startObject';
      return;
    }
    if (!this.isObject) return;
    if (this.member) {
      this.member.consume(t);
      if (this.member.done) this.keepMember();
    } else if (depth === 1) {
      if (t.name === 'keyValue') this.addKey(t.value);
      else if (t.name === 'endObject') return;
      else if (this.key === 'identifiers' && t.name === 'startArray') {
        this.identifiers = this.array = { kind: 'array', count: 0, firstInvalid: -1, hashes: new Sha256Set(this.expectedIdentifiers) };
      } else if (this.key === 'listingId' || this.key === 'identifiers') {
        this.member = new Assembler().consume(t);
        if (this.member.done) this.keepMember();
      }
    } else if (depth === 2 && this.array) {
      // An element of the identifiers (deeper tokens belong to an element that is an object or an array).
      if (t.name === 'endArray') this.array = null;
      else if (t.name === 'stringValue' && isDigest(t.value)) this.addHash(this.array, t.value);
      else this.addInvalid(this.array);
    }
  }

  private addKey(key: string): void {
    this.key = key;
    if (isArrayIndex(key)) {
      if (this.smallestIndex === undefined || Number(key) < Number(this.smallestIndex)) this.smallestIndex = key;
    } else if (!this.named.includes(key) && this.named.every((k) => MEMBERS.includes(k))) {
      this.named.push(key);
    }
  }

  private keepMember(): void {
    const value = this.member!.current;
    this.member = null;
    if (this.key === 'listingId') this.listingId = value;
    else this.identifiers = { kind: 'value', value };
  }

  private addHash(ids: IdentifierArray, hex: string): void {
    // Past the limit the request is refused; the rest is only checked as JSON, not kept.
    if (ids.count++ < this.maxIdentifiers && ids.firstInvalid < 0) ids.hashes.add(hex);
  }

  private addInvalid(ids: IdentifierArray): void {
    if (ids.firstInvalid < 0) ids.firstInvalid = ids.count;
    ids.count++;
  }
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
    // Each identifier takes 67 bytes of the body ("…64 hex…",); the length is the client's claim, so it is capped.
    const length = encoding === 'identity' ? Number(req.headers['content-length']) : Number.NaN;
    const expected = Number.isFinite(length) ? Math.min(maxIdentifiers, Math.ceil(length / 67)) : undefined;
    const parser = new OverlapBodyParser(maxIdentifiers, expected);
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
