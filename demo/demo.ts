/**
 * The whole marketplace, end to end, through the public HTTP API only:
 *
 *   npm run demo -- [--records N]      (default 100000; CI uses --records 2000)
 *
 * Starts Audex in this process (NestFactory + configureApp, exactly what main.ts runs) on a free loopback port,
 * on the embedded FerretDB in a fresh temporary data directory (or MONGODB_URI, in a database of its own), with
 * stripe-mock (scripts/build-stripe-mock.sh) unless a real Stripe test key and webhook secret are given. Then a
 * publisher uploads audiences, builds a segment and lists it, an admin approves it, an advertiser checks the
 * overlap, buys it (a signed checkout.session.completed webhook stands in for Stripe), takes a delivery and
 * verifies it, the publisher erases a delivered subject and the buyer is told. Every step checks what came back;
 * the exit code is 0 only if all did what they said. Everything the demo started is stopped in all cases.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import Stripe from 'stripe';
import { startStripeMock } from '../scripts/stripe-mock';
import { aCheckoutSession, anAccount, anEvent, type StripeEventJson } from '../test/helpers/stripe-events';

// ---------------------------------------------------------------------------------------------------------------
// Arguments and small helpers
// ---------------------------------------------------------------------------------------------------------------

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const N = Number(arg('--records') ?? 100_000);
if (!Number.isInteger(N) || N <= 0) {
  process.stderr.write('--records must be a positive integer\n');
  process.exit(2);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const fmt = (n: number) => n.toLocaleString('en-US');
const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;
const isTty = process.stdout.isTTY === true;
const bold = (s: string) => (isTty ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s: string) => (isTty ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s: string) => (isTty ? `\x1b[31m${s}\x1b[0m` : s);
const dim = (s: string) => (isTty ? `\x1b[2m${s}\x1b[0m` : s);

/** A step that did not do what it said: which step, what was expected, what came back. */
class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`${step}: expected ${expected}, got ${got}`);
  }
}

let currentStep = 'start';
function check(ok: boolean, expected: string, got: unknown): void {
  if (!ok) throw new StepFailure(currentStep, expected, typeof got === 'string' ? got : JSON.stringify(got));
}

interface StepRecord {
  n: number;
  title: string;
  summary: string;
  seconds: number;
  status: 'ok' | 'skipped' | 'failed';
}
const steps: StepRecord[] = [];

async function step(n: number, title: string, fn: () => Promise<{ summary: string; skipped?: boolean }>): Promise<void> {
  currentStep = `${n}. ${title}`;
  console.log(`\n${bold(`${n}. ${title}`)}`);
  const t0 = performance.now();
  try {
    const r = await fn();
    const seconds = (performance.now() - t0) / 1000;
    steps.push({ n, title, summary: r.summary, seconds, status: r.skipped ? 'skipped' : 'ok' });
  } catch (e) {
    steps.push({ n, title, summary: e instanceof StepFailure ? 'failed' : `error: ${(e as Error).message}`, seconds: (performance.now() - t0) / 1000, status: 'failed' });
    throw e;
  }
}
const say = (line: string) => console.log(`   ${line}`);

// ---------------------------------------------------------------------------------------------------------------
// HTTP client for the public API
// ---------------------------------------------------------------------------------------------------------------

let BASE = '';
/** DEMO_TRACE=1 prints every API call with its status and duration. */
const TRACE = process.env.DEMO_TRACE === '1';

interface ApiResponse {
  status: number;
  body: any;
}

async function call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  const t0 = performance.now();
  const res = await fetch(`${BASE}${path}`, { method, headers, body });
  const text = await res.text();
  if (TRACE) console.log(dim(`   ${method} ${path.split('?')[0]} → ${res.status} in ${Math.round(performance.now() - t0)} ms`));
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

const describeError = (r: ApiResponse) =>
  r.body && typeof r.body === 'object' ? `${r.status} ${r.body.code ?? ''} ${r.body.message ?? ''}`.trim() : `${r.status} ${String(r.body).slice(0, 200)}`;

/** Calls the API and insists on one status code. */
async function api(method: string, path: string, expectStatus: number, opts: Parameters<typeof call>[2] = {}): Promise<any> {
  const r = await call(method, path, opts);
  check(r.status === expectStatus, `${method} ${path} → ${expectStatus}`, describeError(r));
  return r.body;
}

// ---------------------------------------------------------------------------------------------------------------
// Synthetic members: deterministic, so every count the API reports can be checked exactly
// ---------------------------------------------------------------------------------------------------------------

const CHANNELS = ['web', 'crm', 'store'] as const;
const INTERESTS = ['sport', 'news', 'travel', 'cooking', 'music'];
const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55+'];
const COUNTRIES = ['FR', 'CM', 'DE', 'SN', 'BE', 'CI'];
const FULL_PURPOSES = [1, 2, 3, 4, 7];
const SEGMENT_AGE_BANDS = ['18-24', '25-34', '35-44'];

type ConsentKind = 'granted' | 'denied' | 'missing_purpose' | 'no_consent';

function mix(i: number): number {
  // murmur3 fmix32: well spread bits from a counter
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

interface Member {
  i: number;
  email: string;
  channel: (typeof CHANNELS)[number];
  interest: string;
  ageBand: string;
  country: string;
  consent: ConsentKind;
}

function member(i: number): Member {
  const h = mix(i);
  const c = (h >>> 20) % 20; // 70 % granted, 10 % denied, 10 % missing purpose 4, 10 % no consent
  return {
    i,
    email: `member${i}@demo.audex.example`,
    channel: CHANNELS[i % 3],
    interest: INTERESTS[h % 5],
    ageBand: AGE_BANDS[(h >>> 4) % 5],
    country: COUNTRIES[(h >>> 8) % 6],
    consent: c < 14 ? 'granted' : c < 16 ? 'denied' : c < 18 ? 'missing_purpose' : 'no_consent',
  };
}

const CONSENT_AT = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();

function recordLine(m: Member): string {
  const traits: Record<string, unknown> = { interest: m.interest, age_band: m.ageBand, country: m.country, visits: m.i % 37 };
  if (m.channel !== 'web') traits.loyalty_tier = ['bronze', 'silver', 'gold'][m.i % 3];
  const consent =
    m.consent === 'granted'
      ? { status: 'granted', purposes: FULL_PURPOSES, at: CONSENT_AT }
      : m.consent === 'denied'
        ? { status: 'denied', purposes: [], at: CONSENT_AT }
        : m.consent === 'missing_purpose'
          ? { status: 'granted', purposes: [1, 2, 3, 7], at: CONSENT_AT }
          : undefined;
  return JSON.stringify({ email: m.email, traits, ...(consent ? { consent } : {}) });
}

const inSegment = (m: Member) => m.interest === 'sport' && SEGMENT_AGE_BANDS.includes(m.ageBand);

// ---------------------------------------------------------------------------------------------------------------
// What the demo starts, and stops in all cases
// ---------------------------------------------------------------------------------------------------------------

interface Started {
  app?: { close(): Promise<void> };
  dropDatabase?: () => Promise<unknown>;
  stripeMock?: ChildProcess;
  dirs: string[];
}
const started: Started = { dirs: [] };
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    if (started.dropDatabase) await started.dropDatabase().catch(() => undefined);
    // Closing the app also stops the embedded FerretDB it started (EmbeddedDatabase.onApplicationShutdown).
    if (started.app) await started.app.close().catch((e) => console.error(`closing the app: ${e?.message ?? e}`));
    const mock = started.stripeMock;
    if (mock && mock.exitCode === null && mock.signalCode === null) {
      await new Promise<void>((res) => {
        const t = setTimeout(() => mock.kill('SIGKILL'), 3000);
        mock.once('exit', () => {
          clearTimeout(t);
          res();
        });
        mock.kill('SIGTERM');
      });
    }
    for (const d of started.dirs) rmSync(d, { recursive: true, force: true });
  })();
  return stopping;
}

// Last resort if the process goes away without the orderly path (never leave stripe-mock behind).
process.on('exit', () => {
  if (started.stripeMock && started.stripeMock.exitCode === null) started.stripeMock.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping everything the demo started…`);
    stopAll().finally(() => process.exit(130));
  });
}

const DEV_WEBHOOK_SECRET = 'whsec_dev_only_change_me';

/** Real Stripe (test mode) when a real test key and the endpoint's signing secret are given; else stripe-mock. */
async function setUpStripe(freePort: () => Promise<number>): Promise<string> {
  const key = process.env.STRIPE_SECRET_KEY ?? '';
  const realKey = /^sk_test_[A-Za-z0-9]{24,}$/.test(key) && !!process.env.STRIPE_WEBHOOK_SECRET && process.env.STRIPE_WEBHOOK_SECRET !== DEV_WEBHOOK_SECRET;
  if (realKey && !process.env.STRIPE_API_HOST) return 'Stripe test mode (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)';
  if (process.env.STRIPE_API_HOST) {
    process.env.STRIPE_WEBHOOK_SECRET ??= `whsec_demo_${randomBytes(16).toString('hex')}`;
    return `Stripe API at ${process.env.STRIPE_API_PROTOCOL ?? 'https'}://${process.env.STRIPE_API_HOST}:${process.env.STRIPE_API_PORT ?? ''} (STRIPE_API_HOST)`;
  }
  const mock = await startStripeMock();
  started.stripeMock = mock.process;
  started.dirs.push(mock.dir);
  const port = mock.port;
  Object.assign(process.env, {
    STRIPE_SECRET_KEY: 'sk_test_audexdemo',
    STRIPE_WEBHOOK_SECRET: `whsec_demo_${randomBytes(16).toString('hex')}`,
    STRIPE_API_HOST: '127.0.0.1',
    STRIPE_API_PORT: String(port),
    STRIPE_API_PROTOCOL: 'http',
  });
  return `stripe-mock on 127.0.0.1:${port} (no real Stripe key given)`;
}

async function startService(): Promise<void> {
  // The app and its database code are loaded only now, after the environment is set: configuration is read once.
  const { freePort } = await import('../src/database/ferretdb');
  const stripeWhere = await setUpStripe(freePort);

  let dbWhere: string;
  if (process.env.MONGODB_URI) {
    const dbName = `audex_demo_${Date.now().toString(36)}`;
    const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(process.env.MONGODB_URI);
    if (!m) throw new Error('MONGODB_URI must look like mongodb://host:port/database');
    process.env.MONGODB_URI = `${m[1]}/${dbName}${m[3] ?? ''}`;
    dbWhere = `MONGODB_URI, database ${dbName} (dropped at the end)`;
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'audex-demo-'));
    started.dirs.push(dataDir);
    process.env.AUDEX_DATA_DIR = dataDir;
    dbWhere = `embedded FerretDB in a fresh temporary data directory ${dataDir} (removed at the end)`;
  }
  const port = await freePort();
  Object.assign(process.env, {
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? '100000',
  });

  const { NestFactory } = await import('@nestjs/core');
  const { getConnectionToken } = await import('@nestjs/mongoose');
  const { AppModule } = await import('../src/app.module');
  const { configureApp } = await import('../src/app.setup');
  const { configureRootLogger } = await import('../src/common/logger');
  configureRootLogger(process.env.LOG_LEVEL!);
  const app = await NestFactory.create(AppModule, { bodyParser: false, logger: false });
  started.app = app;
  configureApp(app);
  await app.listen(port, '127.0.0.1');
  if (process.env.MONGODB_URI) {
    const connection = app.get(getConnectionToken());
    started.dropDatabase = () => connection.dropDatabase();
  }
  BASE = `http://127.0.0.1:${port}`;
  console.log(`Audex API      ${BASE}  (in-process, as main.ts starts it)`);
  console.log(`Database       ${dbWhere}`);
  console.log(`Payments       ${stripeWhere}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Stripe events, as Stripe sends them, signed with the endpoint secret
// ---------------------------------------------------------------------------------------------------------------

const webhooks = Stripe.webhooks;
async function sendWebhook(event: StripeEventJson): Promise<any> {
  const payload = JSON.stringify(event);
  const signature = webhooks.generateTestHeaderString({ payload, secret: process.env.STRIPE_WEBHOOK_SECRET! });
  return api('POST', '/v1/payments/webhook', 200, {
    raw: payload,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': signature },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Streaming upload with a progress bar
// ---------------------------------------------------------------------------------------------------------------

function uploadNdjson(path: string, token: string, members: Member[], onRecords: (n: number) => void): Promise<any> {
  const CHUNK = 500;
  function* chunks(): Generator<string> {
    for (let i = 0; i < members.length; i += CHUNK) {
      const slice = members.slice(i, i + CHUNK);
      onRecords(slice.length);
      yield `${slice.map(recordLine).join('\n')}\n`;
    }
  }
  const url = new URL(path, BASE);
  return new Promise((res, rej) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: url.pathname,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson' },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (d) => (text += d));
        response.on('end', () => {
          let body: any = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* keep text */
          }
          res({ status: response.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', rej);
    Readable.from(chunks()).pipe(req);
  });
}

function progressBar(unit: string, total: number) {
  const bar = new cliProgress.SingleBar(
    {
      format: `   {bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | {duration_formatted}`,
      hideCursor: true,
      noTTYOutput: !isTty,
      notTTYSchedule: 5000,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  bar.start(total, 0, { rate: 0 });
  return {
    increment(n: number) {
      const seconds = (performance.now() - t0) / 1000;
      const value = (bar as any).value + n;
      bar.increment(n, { rate: seconds > 0 ? fmt(Math.round(value / seconds)) : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------------------------

async function walk(): Promise<void> {
  const run = Date.now().toString(36);
  const password = 'demo password 2024!';
  const members = Array.from({ length: N }, (_, i) => member(i));
  const byConsent = (list: Member[], k: ConsentKind) => list.filter((m) => m.consent === k).length;
  const segmentMembers = members.filter(inSegment);
  const expected = {
    size: segmentMembers.length,
    consented: byConsent(segmentMembers, 'granted'),
    denied: byConsent(segmentMembers, 'denied'),
    missingPurpose: byConsent(segmentMembers, 'missing_purpose'),
    noConsent: byConsent(segmentMembers, 'no_consent'),
  };
  const consentedSegment = segmentMembers.filter((m) => m.consent === 'granted');

  const ctx: Record<string, any> = {};

  await step(1, 'Publisher registers and uploads its audiences', async () => {
    const reg = await api('POST', '/v1/auth/register', 201, {
      body: { email: `publisher-${run}@news.demo.example`, password, role: 'publisher', organizationName: 'Le Quotidien Sportif' },
    });
    ctx.publisher = reg.accessToken;
    say(`publisher ${reg.user.email} registered (organization ${reg.user.organizationId})`);
    const audiences: Record<string, string> = {};
    for (const channel of CHANNELS) {
      const a = await api('POST', '/v1/audiences', 201, {
        token: ctx.publisher,
        body: { name: `${channel} members`, description: `Members collected through ${channel}`, source: channel, dataType: 'first_party' },
      });
      audiences[channel] = a.id;
    }
    ctx.audiences = audiences;
    say(`audiences created: ${CHANNELS.map((c) => `${c} (${audiences[c]})`).join(', ')}`);
    say(
      `uploading ${fmt(N)} members as NDJSON in chunks of 500: ${fmt(byConsent(members, 'granted'))} consented to purposes 1,2,3,4,7, ` +
        `${fmt(byConsent(members, 'denied'))} denied, ${fmt(byConsent(members, 'missing_purpose'))} without purpose 4, ${fmt(byConsent(members, 'no_consent'))} without consent`,
    );
    const bar = progressBar('records', N);
    const totals = { received: 0, inserted: 0, rejected: 0 };
    try {
      for (const channel of CHANNELS) {
        const part = members.filter((m) => m.channel === channel);
        const r = await uploadNdjson(`/v1/audiences/${audiences[channel]}/records`, ctx.publisher, part, (n) => bar.increment(n));
        check(r.status === 200, `upload to ${channel} → 200`, describeError(r));
        check(r.body.inserted === part.length && r.body.rejected === 0, `${part.length} inserted, 0 rejected into ${channel}`, {
          inserted: r.body.inserted,
          rejected: r.body.rejected,
          errors: r.body.errors?.slice(0, 3),
        });
        totals.received += r.body.received;
        totals.inserted += r.body.inserted;
        totals.rejected += r.body.rejected;
      }
    } finally {
      bar.stop();
    }
    const list = await api('GET', '/v1/audiences', 200, { token: ctx.publisher });
    const counts = CHANNELS.map((c) => list.items.find((a: any) => a.id === audiences[c])?.subjectCount ?? 0);
    const expectedCounts = CHANNELS.map((c) => members.filter((m) => m.channel === c).length);
    check(counts.join() === expectedCounts.join(), `subjectCount per audience ${expectedCounts.join('/')}`, counts.join('/'));
    say(`received ${fmt(totals.received)}, inserted ${fmt(totals.inserted)}, rejected ${totals.rejected}; subjects web/crm/store = ${counts.map(fmt).join(' / ')}`);
    return { summary: `${fmt(totals.inserted)} members in 3 audiences` };
  });

  await step(2, 'Publisher builds a segment', async () => {
    const seg = await api('POST', '/v1/segments', 201, {
      token: ctx.publisher,
      body: {
        name: 'Young sport fans',
        audienceIds: CHANNELS.map((c) => ctx.audiences[c]),
        rules: { all: [{ trait: 'interest', op: 'eq', value: 'sport' }, { trait: 'age_band', op: 'in', value: SEGMENT_AGE_BANDS }] },
      },
    });
    ctx.segmentId = seg.id;
    check(seg.size === expected.size, `size ${expected.size}`, seg.size);
    check(seg.consentedSize === expected.consented, `consentedSize ${expected.consented}`, seg.consentedSize);
    say(`segment "interest = sport and age_band in ${SEGMENT_AGE_BANDS.join(', ')}" over web + crm + store`);
    say(`size ${fmt(seg.size)} members, of which ${fmt(seg.consentedSize)} consented (purposes 1, 3, 4 and the vendor)`);
    return { summary: `size ${fmt(seg.size)}, consented ${fmt(seg.consentedSize)}` };
  });

  await step(3, 'Publisher lists it, submits it, and becomes payable', async () => {
    const listing = await api('POST', '/v1/listings', 201, {
      token: ctx.publisher,
      body: {
        segmentId: ctx.segmentId,
        title: 'Young sport fans, France and Francophone Africa',
        description: 'Readers, loyalty members and shoppers aged 18 to 44 interested in sport, with TCF consent.',
        taxonomyIds: [607],
        pricing: { model: 'flat', amount: 50_000, currency: 'eur' },
        licenseDays: 30,
        dataLabel: {
          providerName: 'Le Quotidien Sportif',
          providerContactEmail: 'data@news.demo.example',
          audienceCriteria: 'Declared interest in sport and age band 18-44, collected on the web site, CRM and in stores.',
          precisionLevel: 'individual',
          privacyPolicyUrl: 'https://news.demo.example/privacy',
          inclusionMethodology: 'declared',
        },
      },
    });
    check(listing.status === 'draft', 'status draft', listing.status);
    const submitted = await api('POST', `/v1/listings/${listing.id}/submit`, 200, { token: ctx.publisher });
    check(submitted.status === 'pending_review', 'status pending_review', submitted.status);
    check(submitted.consentedSize === expected.consented, `consentedSize ${expected.consented}`, submitted.consentedSize);
    ctx.listingId = listing.id;
    say(`listing ${listing.id} "${listing.title}": flat ${money(50_000, 'eur')}, IAB 607 (Sports), licence 30 days → ${submitted.status}`);
    say(`data label: geography ${(submitted.dataLabel?.geography ?? []).join(', ')}; sources ${(submitted.dataLabel?.dataSources ?? []).join(', ')}`);

    const link = await api('POST', '/v1/payouts/onboarding', 201, { token: ctx.publisher });
    check(typeof link.url === 'string' && link.url.length > 0, 'an onboarding link', link);
    const before = await api('GET', '/v1/payouts/status', 200, { token: ctx.publisher });
    check(typeof before.accountId === 'string' && before.accountId.startsWith('acct_'), 'a Connect account id', before.accountId);
    say(`Connect account ${before.accountId}; onboarding link ${link.url.slice(0, 60)}…`);
    // Stripe tells Audex the account finished onboarding: a signed account.updated event.
    await sendWebhook(
      anEvent('account.updated', anAccount(before.accountId)),
    );
    say('signed account.updated (charges_enabled, payouts_enabled) accepted by /v1/payments/webhook');
    ctx.accountId = before.accountId;
    return { summary: `listing pending_review, account ${before.accountId}` };
  });

  await step(4, 'Admin logs in and approves the listing', async () => {
    const login = await api('POST', '/v1/auth/login', 200, {
      body: { email: process.env.ADMIN_EMAIL ?? 'admin@audex.local', password: process.env.ADMIN_PASSWORD ?? 'dev-admin-password-change-me' },
    });
    check(login.user.role === 'admin', 'role admin', login.user.role);
    ctx.admin = login.accessToken;
    const queue = await api('GET', '/v1/admin/listings?status=pending_review', 200, { token: ctx.admin });
    check(queue.items.some((l: any) => l.id === ctx.listingId), 'the listing in the review queue', queue.items.map((l: any) => l.id));
    const approved = await api('POST', `/v1/admin/listings/${ctx.listingId}/approve`, 200, { token: ctx.admin });
    check(approved.status === 'approved', 'status approved', approved.status);
    say(`${login.user.email} approved listing ${approved.id} (${queue.items.length} in the queue); public size estimate ${approved.sizeEstimate}`);
    return { summary: 'approved' };
  });

  await step(5, 'Advertiser registers, browses and checks the overlap', async () => {
    const reg = await api('POST', '/v1/auth/register', 201, {
      body: { email: `buyer-${run}@brand.demo.example`, password, role: 'advertiser', organizationName: 'Sportswear Brand' },
    });
    ctx.advertiser = reg.accessToken;
    ctx.advertiserOrg = reg.user.organizationId;
    const page = await api('GET', '/v1/marketplace/listings?taxonomyId=607&sort=-size', 200, { token: ctx.advertiser });
    const found = page.items.find((l: any) => l.id === ctx.listingId);
    check(!!found, 'the approved listing in the marketplace', page.items.map((l: any) => l.id));
    check(typeof found.sizeEstimate === 'number' && Math.abs(found.sizeEstimate - expected.consented) <= Math.max(100, expected.consented * 0.05), `sizeEstimate near ${expected.consented}`, found.sizeEstimate);
    say(`${reg.user.email} sees "${found.title}" by ${found.publisher?.name}: sizeEstimate ${fmt(found.sizeEstimate)} (exact consented ${fmt(expected.consented)} stays private)`);

    // The advertiser's CRM: hashed emails of which a known part are members of the segment.
    const known = Math.min(500, Math.floor(consentedSegment.length * 0.8));
    const identifiers = [
      ...consentedSegment.slice(0, known).map((m) => sha256(m.email)),
      ...Array.from({ length: 1000 - known }, (_, j) => sha256(`customer${j}@brand.demo.example`)),
    ];
    const r = await call('POST', '/v1/matching/overlap', { token: ctx.advertiser, body: { listingId: ctx.listingId, identifiers } });
    check(r.status === 200 || r.status === 201, 'POST /v1/matching/overlap → 200', describeError(r));
    const o = r.body;
    const tolerance = Math.max(50, known * 0.2);
    // Under k the service answers "<k" on purpose; with enough known members it must be a number near them.
    const underK = typeof o.matchedEstimate === 'string' && /^<\d+$/.test(o.matchedEstimate) && known - tolerance < Number(o.matchedEstimate.slice(1));
    check(
      underK || (typeof o.matchedEstimate === 'number' && Math.abs(o.matchedEstimate - known) <= tolerance),
      `matchedEstimate ${known} ± ${Math.round(tolerance)}`,
      o.matchedEstimate,
    );
    check(o.privacy && typeof o.privacy.epsilonSpent === 'number' && typeof o.privacy.epsilonRemaining === 'number', 'privacy {epsilonSpent, epsilonRemaining}', o);
    const rate = typeof o.matchRateEstimate === 'number' ? `${(o.matchRateEstimate * 100).toFixed(1)} %` : 'withheld under k';
    say(
      `overlap of ${fmt(identifiers.length)} hashed emails (${known} known members): matchedEstimate ${fmt(o.matchedEstimate)}, ` +
        `match rate ${rate}, ε spent ${o.privacy.epsilonSpent}, remaining ${o.privacy.epsilonRemaining}`,
    );
    return { summary: `sizeEstimate ${fmt(found.sizeEstimate)}; overlap ≈ ${fmt(o.matchedEstimate)} of ${known}` };
  });

  await step(6, 'Advertiser orders and pays (signed checkout.session.completed)', async () => {
    const order = await api('POST', '/v1/orders', 201, { token: ctx.advertiser, body: { listingId: ctx.listingId } });
    check(order.status === 'pending_payment', 'status pending_payment', order.status);
    check(order.amount === 50_000 && order.platformFee === 10_000 && order.currency === 'eur', 'amount 50000 eur, platform fee 10000', order);
    say(`order ${order.id}: ${money(order.amount, order.currency)} (platform fee ${money(order.platformFee, order.currency)}), checkout ${order.checkoutUrl ? 'session created' : 'url missing'}`);
    const ack = await sendWebhook(
      anEvent('checkout.session.completed', aCheckoutSession(order)),
    );
    check(ack.received === true, 'webhook acknowledged', ack);
    const paid = await api('GET', `/v1/orders/${order.id}`, 200, { token: ctx.advertiser });
    check(paid.status === 'paid', 'status paid', paid.status);
    check(!!paid.license, 'a licence', paid.license ?? null);
    ctx.order = paid;
    say(`Stripe-Signature verified; order ${paid.status}, licence until ${paid.license.expiresAt ?? JSON.stringify(paid.license)}`);
    return { summary: `paid ${money(paid.amount, paid.currency)}` };
  });

  await step(7, 'Advertiser takes the delivery, downloads and verifies it', async () => {
    const d = await api('POST', `/v1/orders/${ctx.order.id}/deliveries`, 201, { token: ctx.advertiser, body: { format: 'ndjson' } });
    check(d.status === 'ready', 'status ready', d.status);
    check(d.recordCount === expected.consented, `recordCount ${expected.consented}`, d.recordCount);
    const ex = d.manifest?.excluded ?? {};
    const wantEx = { denied: expected.denied, missing_purpose: expected.missingPurpose, no_consent: expected.noConsent };
    check(
      ex.denied === wantEx.denied && ex.missing_purpose === wantEx.missing_purpose && ex.no_consent === wantEx.no_consent,
      `excluded ${JSON.stringify(wantEx)}`,
      ex,
    );
    check(d.excludedNoConsent === expected.denied + expected.missingPurpose + expected.noConsent, 'excludedNoConsent = sum of exclusions', d.excludedNoConsent);
    say(`delivery ${d.id}: ${fmt(d.recordCount)} records; excluded ${Object.entries(ex).filter(([, v]) => (v as number) > 0).map(([k, v]) => `${k} ${fmt(v as number)}`).join(', ')}`);

    // The signed link works without credentials: stream it, count lines, recompute the digest.
    check(!!d.download?.url, 'a signed download link', d.download ?? null);
    const res = await fetch(d.download.url);
    check(res.status === 200, 'download → 200', res.status);
    const bar = progressBar('records', d.recordCount);
    const keys: string[] = [];
    let rest = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        rest += decoder.decode(chunk, { stream: true });
        const lines = rest.split('\n');
        rest = lines.pop()!;
        for (const line of lines) if (line) keys.push(JSON.parse(line).key);
        bar.increment(lines.filter(Boolean).length);
      }
      if (rest.trim()) {
        keys.push(JSON.parse(rest).key);
        bar.increment(1);
      }
    } finally {
      bar.stop();
    }
    check(keys.length === d.recordCount, `${d.recordCount} lines`, keys.length);
    const digest = sha256([...keys].sort().map((k) => `${k}\n`).join(''));
    check(digest === d.manifest.digest, `manifest digest ${d.manifest.digest}`, digest);
    const expectedKeys = new Set(consentedSegment.map((m) => sha256(m.email)));
    check(keys.every((k) => expectedKeys.has(k)), 'only consented segment members in the file', keys.find((k) => !expectedKeys.has(k)));
    say(`downloaded ${fmt(keys.length)} lines through the signed link; sha256 over sorted keys = manifest digest ${digest.slice(0, 16)}…`);

    const subject = consentedSegment[0];
    const v = await api('POST', `/v1/deliveries/${d.id}/verify`, 200, { token: ctx.advertiser, body: { subjectKey: sha256(subject.email) } });
    check(v.included === true && v.consentAtDelivery?.status === 'granted', 'included with granted consent', v);
    const excluded = segmentMembers.find((m) => m.consent === 'denied')!;
    const vNo = await api('POST', `/v1/deliveries/${d.id}/verify`, 200, { token: ctx.advertiser, body: { subjectKey: sha256(excluded.email) } });
    check(vNo.included === false, 'a denied member not included', vNo);
    say(`verify: subject ${sha256(subject.email).slice(0, 12)}… included, consent at delivery ${v.consentAtDelivery.status} [${v.consentAtDelivery.purposes.join(',')}]; a denied member is not`);
    ctx.delivery = d;
    ctx.erased = subject;
    return { summary: `${fmt(d.recordCount)} records, digest verified` };
  });

  await step(8, 'Publisher erases a delivered subject; the buyer is notified', async () => {
    const er = await api('POST', '/v1/erasures', 202, { token: ctx.publisher, body: { identifier: { email: ctx.erased.email } } });
    const key = sha256(ctx.erased.email);
    check(er.subjectKey === key, `subjectKey ${key}`, er.subjectKey);
    check(er.buyersNotified === 1, 'buyersNotified 1', er.buyersNotified);
    say(`erased ${key.slice(0, 12)}… from ${er.removedFrom} audience(s); buyers notified: ${er.buyersNotified}`);
    const notices = await api('GET', '/v1/notices?status=pending', 200, { token: ctx.advertiser });
    const notice = notices.items.find((n: any) => n.subjectKey === key);
    check(notices.items.length === 1 && notice?.kind === 'erasure', 'one pending erasure notice for the subject', notices.items.map((n: any) => ({ kind: n.kind, subjectKey: n.subjectKey })));
    const ack = await api('POST', `/v1/notices/${notice.id}/ack`, 200, { token: ctx.advertiser });
    check(ack.status === 'acknowledged', 'status acknowledged', ack.status);
    say(`advertiser got notice ${notice.id} (${notice.kind}) and acknowledged it`);
    return { summary: 'buyersNotified 1, notice acknowledged' };
  });

  await step(9, 'KPIs', async () => {
    const reports: [string, string, string][] = [
      ['publisher', '/v1/analytics/publisher', ctx.publisher],
      ['advertiser', '/v1/analytics/advertiser', ctx.advertiser],
      ['admin', '/v1/admin/analytics', ctx.admin],
    ];
    const got: Record<string, any> = {};
    for (const [who, path, token] of reports) {
      const r = await call('GET', path, { token });
      check(r.status === 200, `GET ${path} → 200`, describeError(r));
      say(`${who}: ${kpis(r.body) || 'no figures'}`);
      got[who] = r.body;
    }
    // The figures must reconcile with what the demo did: one order paid, one delivery.
    const amount = ctx.order.amount;
    const fee = ctx.order.platformFee;
    check(got.admin.gmv?.eur === amount, `admin GMV = the order's ${amount}`, got.admin.gmv);
    check(got.admin.platformFees?.eur === fee, `admin platform fees = the order's ${fee}`, got.admin.platformFees);
    check(got.publisher.revenue?.eur === amount - fee, `publisher revenue = ${amount - fee} (amount − fee)`, got.publisher.revenue);
    check(got.advertiser.spend?.eur === amount, `advertiser spend = ${amount}`, got.advertiser.spend);
    check(got.publisher.revenue.eur + got.admin.platformFees.eur === got.admin.gmv.eur, 'publisher revenue + platform fees = GMV', got);
    check(got.advertiser.recordsReceived === ctx.delivery.recordCount, `records received = ${ctx.delivery.recordCount}`, got.advertiser.recordsReceived);
    return { summary: '3/3 reports reconcile' };
  });
}

/** The numbers of a report, one level of nesting deep, as "name value" pairs (no JSON dumps). */
function kpis(body: any): string {
  const out: string[] = [];
  const visit = (obj: any, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(obj ?? {})) {
      if (typeof v === 'number') out.push(`${prefix}${k} ${Number.isInteger(v) ? fmt(v) : v.toFixed(3)}`);
      else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 1) visit(v, `${prefix}${k}.`, depth + 1);
    }
  };
  visit(body, '', 0);
  return out.slice(0, 10).join(', ');
}

function summaryTable(): void {
  const rows = steps.map((s) => [String(s.n), s.title, s.status === 'ok' ? 'ok' : s.status, `${s.seconds.toFixed(1)} s`, s.summary]);
  const head = ['#', 'step', 'result', 'time', 'key numbers'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ');
  console.log(`\n${bold(line(head))}`);
  console.log(dim(widths.map((w) => '-'.repeat(w)).join('  ')));
  for (const r of rows) console.log(r[2] === 'failed' ? red(line(r)) : line(r));
}

async function main(): Promise<number> {
  const t0 = performance.now();
  console.log(bold(`Audex demo: ${fmt(N)} synthetic members`));
  // About 7 % of the members end up consented in the segment; a smaller one cannot be listed (MIN_SEGMENT_SIZE).
  const k = Number(process.env.MIN_SEGMENT_SIZE ?? 100);
  const consented = Array.from({ length: N }, (_, i) => member(i)).filter((m) => inSegment(m) && m.consent === 'granted').length;
  if (consented < k) {
    console.error(red(`--records ${N} gives a segment of ${consented} consented members, below MIN_SEGMENT_SIZE ${k}: use --records ${Math.ceil((N * k) / Math.max(consented, 1) / 100) * 100} or more`));
    return 2;
  }
  try {
    currentStep = '0. start the service';
    await startService();
    await walk();
    summaryTable();
    console.log(green(`\ndemo complete: ${steps.length} steps ok in ${((performance.now() - t0) / 1000).toFixed(1)} s`));
    return 0;
  } catch (e) {
    if (steps.length) summaryTable();
    if (e instanceof StepFailure) {
      console.error(red(`\nFAILED at step ${e.step}`));
      console.error(`  expected: ${e.expected}`);
      console.error(`  got:      ${e.got}`);
    } else {
      console.error(red(`\nFAILED at step ${currentStep}: ${(e as Error)?.stack ?? e}`));
    }
    return 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
