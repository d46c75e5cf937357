/**
 * npm run bench:match [-- --members N --submitted N --runs R --store sqlite|postgresql --no-export]
 *   (defaults 1,000,000 members and submitted, 3 runs, SQLite; --no-export measures the overlap only)
 *
 * The app runs in a child process as production runs it (dist/main.js, see bench/server-process.ts), so that
 * its memory is measured apart from this load generator's: the server's peak RSS (VmHWM) is read per phase
 * from /proc. The store is MONGODB_URI, else an embedded FerretDB over SQLite (default) or over the local PostgreSQL (`--store postgresql`).
 *
 * OVERLAP: seeds one approved listing over a segment of N consented members (raw driver, batched direct inserts
 * generated on the fly, in the shapes of src/audiences/subject.schema.ts and src/listings/listing.schema.ts),
 * then streams M hashes (half of them members) from a generator through POST /v1/matching/overlap. In the same
 * run it times two baselines on the same data, in this process:
 *   - in-memory Set: both key lists already in memory, intersection only (the floor);
 *   - driver + Set: a raw driver cursor over the members' keys, each looked up in a Set of the submission (what
 *     the endpoint must do at minimum, without HTTP, JSON, validation, budget or noise); goal: overlap ≤ 2× this.
 * The two baselines need the key lists in memory, so this process's peak RSS is reported apart, labelled.
 *
 * EXPORT: a delivery of the same members (build, then NDJSON download) against a raw driver cursor read.
 */
import 'reflect-metadata';
import { type Db, MongoClient, ObjectId } from 'mongodb';
import { createHash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type BenchServer, type BenchStore, peakRssOf, registerBenchUser, startBenchServer, startBenchStore } from './server-process';
import { type BenchRow, reportResult } from './report';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}
function storeFlag(): 'sqlite' | 'postgresql' {
  const i = process.argv.indexOf('--store');
  const v = i >= 0 ? process.argv[i + 1] : 'sqlite';
  if (v !== 'sqlite' && v !== 'postgresql') throw new Error(`--store must be sqlite or postgresql, got ${v}`);
  return v;
}

const MEMBERS = flag('members', 1_000_000);
const SUBMITTED = flag('submitted', 1_000_000);
const RUNS = flag('runs', 3);
const STORE = storeFlag();
const EXPORT = !process.argv.includes('--no-export');
const BATCH = 10_000;
/** Members among the submitted hashes: the first OVERLAPPING members, then strangers. */
const OVERLAPPING = Math.min(MEMBERS, Math.floor(SUBMITTED / 2));

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const memberKey = (i: number) => sha(`member-${i}@example.test`);
const submittedKey = (i: number) => (i < OVERLAPPING ? memberKey(i) : sha(`stranger-${i - OVERLAPPING}@example.test`));
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const mib = (kib: number) => Math.round(kib / 1024);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Peak RSS (MiB) per process and phase, in the order measured. */
const rss: Record<string, number> = {};

async function main(): Promise<void> {
  const store = await startBenchStore(STORE);
  let server: BenchServer | undefined;
  let client: MongoClient | undefined;
  try {
    server = await startBenchServer(store.uri, {
      OVERLAP_MAX_IDENTIFIERS: String(Math.max(SUBMITTED, 1_000_000)),
      OVERLAP_MAX_BYTES: String(Math.max(80 * 1024 * 1024, SUBMITTED * 70 + 1024)),
      OVERLAP_EPSILON_BUDGET: '1000',
    });
    client = await MongoClient.connect(store.uri);
    const db = client.db();
    const advertiser = await registerBenchUser(server.base, 'advertiser');
    const publisher = await registerBenchUser(server.base, 'publisher');
    console.log(`store: ${store.label}; members ${MEMBERS.toLocaleString('en')}, submitted ${SUBMITTED.toLocaleString('en')}, runs ${RUNS}`);

    const t0 = process.hrtime.bigint();
    const { listingId, audienceId } = await seedOverlap(db, publisher.user.organizationId);
    console.log(`seeded ${MEMBERS.toLocaleString('en')} consented members + listing in ${(ms(t0) / 1000).toFixed(1)} s`);
    rss['server (started, idle)'] = mib(server.peakRssKiB());

    const rows: BenchRow[] = [];
    rows.push(await benchOverlap({ server, token: () => advertiser.login(), db, listingId, audienceId }));
    if (EXPORT) rows.push(...(await benchExport({ server, db, advertiser, publisherOrg: publisher.user.organizationId, listingId, audienceId })));

    rss['load generator (this process: baselines, key lists)'] = mib(process.resourceUsage().maxRSS);
    if (store.pid) rss['FerretDB'] = mib(peakRssOf(store.pid));
    const serverPeak = Math.max(...Object.entries(rss).filter(([k]) => k.startsWith('server')).map(([, v]) => v));
    console.log(`\nPEAK RSS (MiB)`);
    for (const [k, v] of Object.entries(rss)) console.log(`  ${k.padEnd(54)} ${String(v).padStart(6)}`);
    console.log(`server peak ${serverPeak} MiB (goal < 300 MB${serverPeak * 1.048576 < 300 ? ', met' : ', NOT met'})`);
    reportResult({
      bench: 'match and export',
      parameters: { members: MEMBERS, submitted: SUBMITTED, runs: RUNS, store: store.label },
      rows,
      rssMiB: rss,
    });
  } finally {
    await client?.close();
    await server?.close();
    await store.stop();
  }
}

/**
 * One request over node:http, without fetch's 300 s headers timeout: at 1M members a delivery build answers
 * after many minutes. The body may be a stream; the response is returned unread.
 */
function request(url: string, method: string, headers: Record<string, string>, body?: string | Readable): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, resolve);
    req.on('error', reject);
    if (body instanceof Readable) pipeline(body, req).catch(reject);
    else req.end(body);
  });
}

async function readJson(res: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The overlap body, generated as it is sent: never a 1M-element array or one large string. */
function overlapBody(listingId: string, sent: { bytes: number }): Readable {
  return Readable.from(
    (function* () {
      const chunk = (s: string) => {
        sent.bytes += s.length;
        return Buffer.from(s, 'latin1');
      };
      yield chunk(`{"listingId":"${listingId}","identifiers":[`);
      const CHUNK = 2000;
      for (let i = 0; i < SUBMITTED; i += CHUNK) {
        const parts: string[] = [];
        for (let j = i; j < Math.min(SUBMITTED, i + CHUNK); j++) parts.push(`"${submittedKey(j)}"`);
        yield chunk((i === 0 ? '' : ',') + parts.join(','));
      }
      yield chunk(']}');
    })(),
    { objectMode: false },
  );
}

async function benchOverlap(o: { server: BenchServer; token: () => Promise<string>; db: Db; listingId: string; audienceId: ObjectId }): Promise<BenchRow> {
  // The baselines need both key lists in memory (generated untimed, as a caller of a library would hold them).
  let members: string[] | null = Array.from({ length: MEMBERS }, (_, i) => memberKey(i));
  let submitted: string[] | null = Array.from({ length: SUBMITTED }, (_, i) => submittedKey(i));

  // Baseline 1: both lists in memory, intersection only.
  const memory: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const set = new Set(submitted);
    let n = 0;
    for (const k of members) if (set.has(k)) n++;
    memory.push(ms(t0));
    if (n !== OVERLAPPING) throw new Error(`in-memory baseline counted ${n}, expected ${OVERLAPPING}`);
  }
  members = null;

  // Baseline 2: the same intersection, reading the members' keys with a raw driver cursor.
  const driver: number[] = [];
  const subjects = o.db.collection('subjects');
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const set = new Set(submitted);
    let n = 0;
    const cursor = subjects.find({ audienceId: o.audienceId }, { projection: { key: 1, _id: 0 }, batchSize: BATCH });
    for await (const d of cursor) if (set.has(d.key as string)) n++;
    driver.push(ms(t0));
    if (n !== OVERLAPPING) throw new Error(`driver baseline counted ${n}, expected ${OVERLAPPING}`);
  }
  submitted = null;

  // The API: streamed JSON body (hashed as it is sent), validation, budget, consented filter, streaming count,
  // noise, record.
  o.server.resetPeak();
  const api: number[] = [];
  let last: any;
  const sent = { bytes: 0 };
  for (let r = 0; r < RUNS; r++) {
    sent.bytes = 0;
    const body = overlapBody(o.listingId, sent);
    const token = await o.token();
    const t0 = process.hrtime.bigint();
    const res = await request(`${o.server.base}/v1/matching/overlap`, 'POST', { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body);
    last = await readJson(res);
    api.push(ms(t0));
    if (res.statusCode !== 200) throw new Error(`overlap answered ${res.statusCode}: ${JSON.stringify(last)}`);
  }
  rss['server (overlap)'] = mib(o.server.peakRssKiB());
  if (last.submitted !== SUBMITTED) throw new Error(`overlap counted ${last.submitted} submitted, expected ${SUBMITTED}`);
  const rel = Math.abs(last.matchedEstimate - OVERLAPPING) / Math.max(1, OVERLAPPING);
  if (typeof last.matchedEstimate !== 'number' || rel > 0.06) throw new Error(`estimate ${last.matchedEstimate} is far from ${OVERLAPPING}`);

  const row = (name: string, xs: number[]) => `${name.padEnd(34)} median ${median(xs).toFixed(0).padStart(7)} ms   runs ${xs.map((x) => x.toFixed(0)).join(', ')}`;
  console.log(`\nOVERLAP (${RUNS} runs each; body ${(sent.bytes / 1024 / 1024).toFixed(1)} MB streamed; answer ${JSON.stringify({ submitted: last.submitted, matchedEstimate: last.matchedEstimate, matchRateEstimate: last.matchRateEstimate })})`);
  console.log(row('in-memory Set intersection', memory));
  console.log(row('driver cursor + Set intersection', driver));
  console.log(row('POST /v1/matching/overlap', api));
  const ratio = median(api) / median(driver);
  console.log(`ratio API / driver+Set: ${ratio.toFixed(2)}x (goal ≤ 2x)   API / in-memory: ${(median(api) / median(memory)).toFixed(1)}x`);
  if (ratio > 2) process.exitCode = 1;
  return {
    metric: `POST /v1/matching/overlap (${SUBMITTED} ids × ${MEMBERS} members)`,
    value: median(api),
    unit: 'ms',
    baselineLabel: `driver cursor read + in-process Set (bare in-memory Set intersection: ${median(memory).toFixed(0)} ms)`,
    baseline: median(driver),
    ratio,
    goal: 'ratio ≤ 2 (time)',
  };
}

/**
 * EXPORT: a paid order over the same members (order seeded directly: the bench has no Stripe peer), then the
 * delivery build (stream members, re-check consent, store delivered keys, seal the digest) and the NDJSON
 * download through the API, each against a raw driver cursor read of the same member documents in this run.
 */
async function benchExport(o: {
  server: BenchServer;
  db: Db;
  advertiser: { login(): Promise<string>; user: { organizationId: string } };
  publisherOrg: string;
  listingId: string;
  audienceId: ObjectId;
}): Promise<BenchRow[]> {
  const now = new Date();
  const listing = await o.db.collection('listings').findOne({ _id: new ObjectId(o.listingId) });
  const orderId = new ObjectId();
  await o.db.collection('orders').insertOne({
    _id: orderId, buyerOrgId: new ObjectId(o.advertiser.user.organizationId), buyerUserId: new ObjectId(),
    sellerOrgId: new ObjectId(o.publisherOrg), listingId: listing!._id,
    snapshot: { listingId: o.listingId, version: 1, title: listing!.title, segmentId: String(listing!.segmentId), pricing: { model: 'flat', amount: 100_000, currency: 'eur' }, licenseDays: 30, requiredPurposes: [1, 3, 4], taxonomyIds: [663] },
    amount: 100_000, platformFee: 20_000, currency: 'eur', status: 'paid', paidAt: now,
    license: { startsAt: new Date(now.getTime() - 1000), expiresAt: new Date(now.getTime() + 30 * 86_400_000) }, rev: 1, createdAt: now, updatedAt: now,
  });

  let t0 = process.hrtime.bigint();
  let raw = 0;
  for await (const d of o.db.collection('subjects').find({ audienceId: o.audienceId }, { projection: { key: 1, ids: 1, traits: 1, consent: 1, _id: 0 }, batchSize: BATCH })) {
    if (d.key) raw++;
  }
  const rawMs = ms(t0);

  const auth = { Authorization: `Bearer ${await o.advertiser.login()}`, 'Content-Type': 'application/json' };
  o.server.resetPeak();
  t0 = process.hrtime.bigint();
  const created = await request(`${o.server.base}/v1/orders/${orderId}/deliveries`, 'POST', auth, JSON.stringify({ format: 'ndjson' }));
  const delivery = (await readJson(created)) as { id: string; recordCount: number };
  const buildMs = ms(t0);
  rss['server (delivery build)'] = mib(o.server.peakRssKiB());
  if (created.statusCode !== 201 || delivery.recordCount !== MEMBERS) throw new Error(`delivery answered ${created.statusCode} with ${delivery.recordCount} records`);

  auth.Authorization = `Bearer ${await o.advertiser.login()}`;
  o.server.resetPeak();
  t0 = process.hrtime.bigint();
  const dl = await request(`${o.server.base}/v1/deliveries/${delivery.id}/download`, 'GET', auth);
  if (dl.statusCode !== 200) throw new Error(`download answered ${dl.statusCode}`);
  let lines = 0;
  for await (const chunk of dl as AsyncIterable<Buffer>) for (const b of chunk) if (b === 10) lines++;
  const downloadMs = ms(t0);
  rss['server (download)'] = mib(o.server.peakRssKiB());
  if (lines !== MEMBERS || raw !== MEMBERS) throw new Error(`download had ${lines} lines, raw read ${raw}, expected ${MEMBERS}`);

  console.log(`\nEXPORT (${MEMBERS.toLocaleString('en')} members)`);
  console.log(`raw driver cursor read          ${rawMs.toFixed(0).padStart(8)} ms`);
  console.log(`POST deliveries (build + seal)  ${buildMs.toFixed(0).padStart(8)} ms   ratio raw/build ${(rawMs / buildMs).toFixed(2)}`);
  console.log(`GET download (NDJSON stream)    ${downloadMs.toFixed(0).padStart(8)} ms   ratio raw/download ${(rawMs / downloadMs).toFixed(2)} (goal ≥ 0.5)`);
  return [
    { metric: 'GET delivery download (NDJSON stream)', value: downloadMs, unit: 'ms', baselineLabel: 'raw driver cursor read of the members', baseline: rawMs, ratio: rawMs / downloadMs, goal: 'ratio ≥ 0.5 (throughput)' },
    { metric: 'POST delivery (consent re-check, store keys, seal digest)', value: buildMs, unit: 'ms', baselineLabel: 'raw driver cursor read of the members', baseline: rawMs, ratio: rawMs / buildMs },
  ];
}

/** An audience of consented members, a segment over it and an approved listing, inserted directly in batches. */
async function seedOverlap(db: Db, org: string): Promise<{ listingId: string; audienceId: ObjectId }> {
  const orgId = new ObjectId(org);
  const audienceId = new ObjectId();
  const segmentId = new ObjectId();
  const listingId = new ObjectId();
  const now = new Date();
  const rules = { all: [{ trait: 'interests', op: 'eq', value: 'sport' }] };
  await db.collection('audiences').insertOne({
    _id: audienceId, orgId, name: 'Bench members', source: 'web', dataType: 'first_party',
    subjectCount: MEMBERS, lastIngestAt: now, createdAt: now, updatedAt: now,
  });
  const subjects = db.collection('subjects');
  const consent = { status: 'granted', purposes: [1, 2, 3, 4], vendorConsent: true, at: now, source: 'bench' };
  for (let i = 0; i < MEMBERS; i += BATCH) {
    const docs = [];
    for (let j = i; j < Math.min(MEMBERS, i + BATCH); j++) {
      const key = memberKey(j);
      docs.push({
        _id: new ObjectId(), orgId, audienceId, key, ids: { emailSha256: key }, traits: { interests: ['sport'], country: 'CMR' },
        consent, channels: ['web'], contentHash: sha(key), createdAt: now, updatedAt: now,
      });
    }
    await subjects.insertMany(docs, { ordered: false });
  }
  await db.collection('segments').insertOne({
    _id: segmentId, orgId, name: 'Bench segment', audienceIds: [audienceId], rules,
    size: MEMBERS, consentedSize: MEMBERS, computedAt: now, createdAt: now, updatedAt: now,
  });
  const title = 'Bench overlap listing';
  await db.collection('listings').insertOne({
    _id: listingId, orgId, segmentId, title, description: 'Bench', searchText: title.toLowerCase(),
    taxonomyIds: [663], taxonomyAncestorIds: [206, 607, 663], pricing: { model: 'cpm', amount: 250, currency: 'eur' },
    licenseDays: 30, requiredPurposes: [1, 3, 4], dataLabel: {}, status: 'approved', moderation: [], version: 1, rev: 2,
    publisherName: 'Bench publisher', countries: ['CMR'], dataTypes: ['first_party'], consentedSize: MEMBERS,
    sizeEstimate: MEMBERS, sortPrice: 250, submittedAt: now, approvedAt: now, listedAt: now, createdAt: now, updatedAt: now,
  });
  return { listingId: String(listingId), audienceId };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
