import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { BlockList, isIPv4, isIPv6, type LookupFunction } from 'node:net';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { AppError } from '../common/app-error';
import { type AppConfig, InjectConfig } from '../config/config';

/**
 * Pushes a delivery to a buyer's webhook, signed, with retries, without letting the buyer aim Audex at its own
 * network (SSRF).
 *
 * Two layers. `validateWebhookUrl` refuses obviously internal URLs when the buyer saves them (a clear 400).
 * The real enforcement is at connect time: every request goes through request-filtering-agent, which checks
 * the address the socket is about to connect to after DNS resolution, so a public name that later resolves to
 * 127.0.0.1 or 169.254.169.254 (DNS rebinding) is still refused. Redirects are never followed.
 *
 * Only Buffers are pushed: the signature covers the exact bytes, and a retry must resend the same bytes, which a
 * stream cannot do. Large deliveries are pushed as a small manifest with a signed, expiring download link
 * (download-token.ts) rather than as the file itself.
 */

export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const SIGNATURE_HEADER = 'Audex-Signature';
export const DELIVERY_ID_HEADER = 'Audex-Delivery-Id';

export type WebhookErrorCode =
  | 'WEBHOOK_URL_FORBIDDEN' // refused by validateWebhookUrl, nothing sent
  | 'WEBHOOK_ADDRESS_FORBIDDEN' // the name resolved to a non-public address, refused before connecting
  | 'WEBHOOK_REDIRECT_REFUSED' // 3xx: redirects are not followed
  | 'WEBHOOK_HTTP_ERROR' // any other non-2xx status
  | 'WEBHOOK_TLS_ERROR'
  | 'WEBHOOK_TIMEOUT'
  | 'WEBHOOK_NETWORK_ERROR'
  | 'WEBHOOK_INTERRUPTED'; // the server shut down before the push could finish

export interface WebhookPushOutcome {
  ok: boolean;
  /** Requests attempted; 0 when the URL was refused before sending anything. */
  attempts: number;
  /** The last HTTP status received, if any. */
  status?: number;
  error?: { code: WebhookErrorCode; message: string };
  durationMs: number;
}

export interface WebhookPushRequest {
  url: string;
  body: Buffer;
  /** Also the receiver's idempotency key: the same on every retry. */
  deliveryId: string;
  /** The buyer's webhook signing secret. */
  secret: string;
  contentType?: string;
}

export interface WebhookPusherOptions {
  /** Addresses the connect-time filter lets through although not public (tests: a 127.0.0.x receiver). */
  allowIPAddressList?: string[];
  /** DNS resolution override (tests: simulate names resolving to chosen addresses). */
  lookup?: LookupFunction;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for backoff jitter. */
  random?: () => number;
  connectTimeoutMs?: number;
  /** Per attempt, from the request's start to the response headers. */
  attemptTimeoutMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A receiver's Retry-After is honoured up to this. */
  maxRetryAfterMs?: number;
  maxBodyBytes?: number;
}
export const WEBHOOK_PUSHER_OPTIONS = Symbol('WEBHOOK_PUSHER_OPTIONS');

const DEFAULTS = {
  connectTimeoutMs: 5_000,
  attemptTimeoutMs: 15_000,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 120_000,
  maxBodyBytes: 5 * 1024 * 1024,
};

// ---- URL validation -------------------------------------------------------------------------------------------

/** IPv4 ranges that are not publicly routable unicast (RFC 6890 and friends). */
const V4_DENY: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.31.196.0', 24], ['192.52.193.0', 24], ['192.88.99.0', 24],
  ['192.168.0.0', 16], ['192.175.48.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const v4Deny = new BlockList();
for (const [net, prefix] of V4_DENY) v4Deny.addSubnet(net, prefix, 'ipv4');
// IPv6: only global unicast (2000::/3) is allowed, minus protocol-assignment (Teredo, …), 6to4 and
// documentation blocks. That excludes ::1, ::, fe80::/10, fc00::/7 (incl. cloud metadata fd00:ec2::254),
// IPv4-mapped ::ffff:0:0/96 and NAT64 64:ff9b::/96 without listing them.
const v6Global = new BlockList();
v6Global.addSubnet('2000::', 3, 'ipv6');
const v6Deny = new BlockList();
for (const [net, prefix] of [['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['3fff::', 20]] as const) {
  v6Deny.addSubnet(net, prefix, 'ipv6');
}

/** True for an IP literal that is publicly routable unicast. */
export function isPublicIpAddress(ip: string): boolean {
  if (isIPv4(ip)) return !v4Deny.check(ip, 'ipv4');
  if (isIPv6(ip)) return v6Global.check(ip, 'ipv6') && !v6Deny.check(ip, 'ipv6');
  return false;
}

const INTERNAL_SUFFIXES = ['.localhost', '.local', '.localdomain', '.internal', '.home.arpa'];

const forbidden = (message: string) => AppError.badRequest('WEBHOOK_URL_FORBIDDEN', message);

/**
 * Checks a buyer-supplied webhook URL; returns it parsed or throws AppError 400 WEBHOOK_URL_FORBIDDEN.
 * WHATWG URL parsing already turns `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` into `127.0.0.1`, so the
 * address checks below see the address the request would really go to.
 */
export function validateWebhookUrl(raw: string, opts: { allowInsecure: boolean }): URL {
  if (typeof raw !== 'string' || raw.length === 0) throw forbidden('The webhook URL is required');
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) throw forbidden(`The webhook URL must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw forbidden('The webhook URL must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && opts.allowInsecure)) {
    throw forbidden('The webhook URL must use https');
  }
  if (url.username || url.password) throw forbidden('The webhook URL must not contain credentials');
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  if (!host) throw forbidden('The webhook URL must name a host');
  if (host.startsWith('[')) {
    if (!isPublicIpAddress(host.slice(1, -1))) throw forbidden('The webhook URL must not point to a private or reserved address');
  } else if (isIPv4(host)) {
    if (!isPublicIpAddress(host)) throw forbidden('The webhook URL must not point to a private or reserved address');
  } else {
    if (host === 'localhost' || INTERNAL_SUFFIXES.some((s) => host.endsWith(s))) {
      throw forbidden('The webhook URL must not point to an internal host name');
    }
    // Single-label names resolve through the server's search domains, i.e. to internal hosts.
    if (!host.includes('.')) throw forbidden('The webhook URL must use a fully qualified host name');
  }
  return url;
}

// ---- Signatures -----------------------------------------------------------------------------------------------

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`, as Stripe does. */
export function signAudexPayload(body: Buffer, secret: string, timestampSec: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.`).update(body).digest('hex');
  return `t=${timestampSec},v1=${mac}`;
}

/**
 * For receivers: true when `header` carries a v1 signature of `body` under `secret` whose timestamp is within
 * `toleranceSec` of now. Several v1 entries are accepted (secret rotation); comparison is constant-time.
 * `body` must be the raw bytes received, before any JSON parsing.
 */
export function verifyAudexSignature(
  header: string | undefined | null,
  body: Buffer | string,
  secret: string,
  toleranceSec = 300,
  nowSec = Math.floor(Date.now() / 1000),
): boolean {
  if (typeof header !== 'string' || header.length > 4096 || !secret) return false;
  let t: number | undefined;
  const sigs: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) sigs.push(Buffer.from(v, 'hex'));
  }
  if (t === undefined || sigs.length === 0 || Math.abs(nowSec - t) > toleranceSec) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(typeof body === 'string' ? Buffer.from(body) : body).digest();
  let ok = false;
  for (const s of sigs) ok = timingSafeEqual(s, expected) || ok;
  return ok;
}

// ---- Transport ------------------------------------------------------------------------------------------------

/** The connect-time filtering agents the pusher sends through: no private, loopback, link-local or meta address. */
export function createWebhookAgents(allowIPAddressList: string[] = []) {
  const opts = { keepAlive: false, allowPrivateIPAddress: false, allowMetaIPAddress: false, allowIPAddressList };
  return { http: new RequestFilteringHttpAgent(opts), https: new RequestFilteringHttpsAgent(opts) };
}

type AttemptResult =
  | { kind: 'response'; status: number; retryAfterMs?: number }
  | { kind: 'error'; code: WebhookErrorCode; message: string; retryable: boolean };

class AttemptTimeout extends Error {}
class Interrupted extends Error {}

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

function classifyError(err: any): AttemptResult {
  const message = String(err?.message ?? err);
  if (err instanceof AttemptTimeout) return { kind: 'error', code: 'WEBHOOK_TIMEOUT', message, retryable: true };
  if (err instanceof Interrupted) return { kind: 'error', code: 'WEBHOOK_INTERRUPTED', message, retryable: false };
  // request-filtering-agent's refusal (the resolved address is not public): permanent.
  if (/is not allowed\. Because/.test(message)) {
    return { kind: 'error', code: 'WEBHOOK_ADDRESS_FORBIDDEN', message, retryable: false };
  }
  if (TLS_ERROR.test(String(err?.code ?? ''))) return { kind: 'error', code: 'WEBHOOK_TLS_ERROR', message, retryable: false };
  return { kind: 'error', code: 'WEBHOOK_NETWORK_ERROR', message: err?.code ? `${err.code}: ${message}` : message, retryable: true };
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d{1,10}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const INTERRUPTED = 'The server shut down before the push could finish';

/**
 * Pushes run in the background, after the response. When the server shuts down (stop(), called by Nest on
 * module destroy) no new attempt starts, a backoff wait ends at once and the attempt in flight is cut, so every
 * push resolves promptly with WEBHOOK_INTERRUPTED, which its caller records while the database is still open.
 */
@Injectable()
export class WebhookPusher implements OnModuleDestroy {
  private readonly opts: typeof DEFAULTS;
  private readonly agents: ReturnType<typeof createWebhookAgents>;
  private readonly sleep?: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly lookup?: LookupFunction;
  private stopping = false;
  /** Ends the backoff waits and cuts the attempts in flight. */
  private readonly interrupters = new Set<() => void>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @Optional() @Inject(WEBHOOK_PUSHER_OPTIONS) options: WebhookPusherOptions = {},
  ) {
    const o = options ?? {};
    this.opts = {
      connectTimeoutMs: o.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      attemptTimeoutMs: o.attemptTimeoutMs ?? DEFAULTS.attemptTimeoutMs,
      baseDelayMs: o.baseDelayMs ?? DEFAULTS.baseDelayMs,
      maxDelayMs: o.maxDelayMs ?? DEFAULTS.maxDelayMs,
      maxRetryAfterMs: o.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
      maxBodyBytes: o.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    };
    this.agents = createWebhookAgents(o.allowIPAddressList);
    this.sleep = o.sleep;
    this.random = o.random ?? Math.random;
    this.lookup = o.lookup;
  }

  /** No attempt starts after this; pushes under way resolve with WEBHOOK_INTERRUPTED. */
  stop(): void {
    this.stopping = true;
    for (const interrupt of this.interrupters) interrupt();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  validateUrl(url: string): URL {
    return validateWebhookUrl(url, { allowInsecure: this.config.delivery.allowInsecureWebhooks });
  }

  /** Never throws for anything the buyer controls (URL, receiver behaviour): the outcome says what happened. */
  async push(req: WebhookPushRequest): Promise<WebhookPushOutcome> {
    if (!Buffer.isBuffer(req.body)) throw new TypeError('webhook body must be a Buffer (push a manifest + download link for large files)');
    if (req.body.length > this.opts.maxBodyBytes) {
      throw new RangeError(`webhook body of ${req.body.length} bytes exceeds ${this.opts.maxBodyBytes}; push a manifest + download link`);
    }
    if (!/^[A-Za-z0-9._:-]{1,128}$/.test(req.deliveryId ?? '')) throw new TypeError('deliveryId must be a short header-safe id');
    if (typeof req.secret !== 'string' || req.secret.length < 16) throw new TypeError('webhook secret must be at least 16 characters');

    const started = Date.now();
    const done = (o: Omit<WebhookPushOutcome, 'durationMs'>): WebhookPushOutcome => ({ ...o, durationMs: Date.now() - started });
    let url: URL;
    try {
      url = this.validateUrl(req.url);
    } catch (e) {
      if (e instanceof AppError) return done({ ok: false, attempts: 0, error: { code: 'WEBHOOK_URL_FORBIDDEN', message: e.message } });
      throw e;
    }

    const maxAttempts = this.config.delivery.webhookMaxAttempts;
    let last: AttemptResult | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await this.wait(this.delayBefore(attempt, last));
      if (this.stopping) return done({ ok: false, attempts: attempt - 1, error: { code: 'WEBHOOK_INTERRUPTED', message: INTERRUPTED } });
      last = await this.attempt(url, req);
      if (last.kind === 'response') {
        const status = last.status;
        if (status >= 200 && status < 300) return done({ ok: true, attempts: attempt, status });
        const redirect = status >= 300 && status < 400;
        const retryable = status === 429 || status >= 500;
        const error = {
          code: (redirect ? 'WEBHOOK_REDIRECT_REFUSED' : 'WEBHOOK_HTTP_ERROR') as WebhookErrorCode,
          message: redirect ? `The receiver answered ${status}; redirects are not followed` : `The receiver answered ${status}`,
        };
        if (!retryable || attempt === maxAttempts) return done({ ok: false, attempts: attempt, status, error });
      } else if (!last.retryable || attempt === maxAttempts) {
        return done({ ok: false, attempts: attempt, error: { code: last.code, message: last.message } });
      }
    }
    throw new Error('unreachable');
  }

  /** The backoff wait, ended early by stop(); its timer is cleared then, so it does not hold the process. */
  private async wait(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let interrupt!: () => void;
    const interrupted = new Promise<void>((r) => (interrupt = r));
    const slept = this.sleep ? this.sleep(ms) : new Promise<void>((r) => (timer = setTimeout(r, ms)));
    this.interrupters.add(interrupt);
    try {
      await Promise.race([slept, interrupted]);
    } finally {
      clearTimeout(timer);
      this.interrupters.delete(interrupt);
    }
  }

  /** Exponential backoff with jitter (half fixed, half random), or the receiver's Retry-After up to a cap. */
  private delayBefore(attempt: number, last: AttemptResult | undefined): number {
    if (last?.kind === 'response' && last.retryAfterMs !== undefined) return Math.min(last.retryAfterMs, this.opts.maxRetryAfterMs);
    const exp = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 2));
    return Math.round(exp / 2 + (exp / 2) * this.random());
  }

  private attempt(url: URL, req: WebhookPushRequest): Promise<AttemptResult> {
    const secure = url.protocol === 'https:';
    const headers = {
      'Content-Type': req.contentType ?? 'application/json',
      'Content-Length': String(req.body.length),
      'User-Agent': 'Audex-Webhooks/1',
      [DELIVERY_ID_HEADER]: req.deliveryId,
      // Signed per attempt, so a retry after a long backoff still passes the receiver's timestamp tolerance.
      [SIGNATURE_HEADER]: signAudexPayload(req.body, req.secret, Math.floor(Date.now() / 1000)),
    };
    const options: https.RequestOptions = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: secure ? this.agents.https : this.agents.http,
      ...(this.lookup ? { lookup: this.lookup } : {}),
    };

    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const interrupt = () => request.destroy(new Interrupted(INTERRUPTED));
      const finish = (r: AttemptResult) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        this.interrupters.delete(interrupt);
        resolve(r);
      };
      const request = (secure ? https : http).request(options, (res) => {
        const retryAfterMs = parseRetryAfter(res.headers['retry-after'], Date.now());
        finish({ kind: 'response', status: res.statusCode ?? 0, retryAfterMs });
        // The receiver's body is of no use to us; do not let it hold the socket.
        res.destroy();
        request.destroy();
      });
      request.on('error', (err) => finish(classifyError(err)));
      timers.push(
        setTimeout(() => request.destroy(new AttemptTimeout(`No response within ${this.opts.attemptTimeoutMs} ms`)), this.opts.attemptTimeoutMs),
      );
      const connectTimer = setTimeout(
        () => request.destroy(new AttemptTimeout(`Could not connect within ${this.opts.connectTimeoutMs} ms`)),
        this.opts.connectTimeoutMs,
      );
      timers.push(connectTimer);
      request.on('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      this.interrupters.add(interrupt);
      request.end(req.body);
    });
  }
}
