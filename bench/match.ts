/**
 * npm run bench:match [-- --members N --submitted N]   (defaults 1,000,000 each)
 *
 * OVERLAP: starts the real app in-process (MONGODB_URI, or an embedded FerretDB as bench/browse.ts does), seeds
 * one approved listing over a segment of N consented members (raw driver, batched direct inserts, in the shapes
 * of src/audiences/subject.schema.ts and src/listings/listing.schema.ts), then submits M hashes (half of them
 * members) through POST /v1/matching/overlap. In the same run it times two baselines on the same data:
 *   - driver + Set: a raw driver cursor over the members' keys, each looked up in a Set of the submission (what
 *     the endpoint must do at minimum, without HTTP, JSON, validation, budget or noise); goal: overlap ≤ 2× this;
 *   - in-memory Set: both key lists already in memory, intersection only (the floor).
 * Prints times, ratios and peak RSS (process.resourceUsage().maxRSS).
 *
 * EXPORT: a delivery of the same members (build, then NDJSON download) against a raw driver cursor read.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { type Connection, Types } from 'mongoose';
import { registerBenchUser, startBenchApp } from './harness';
import { type BenchRow, reportResult } from './report';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

const MEMBERS = flag('members', 1_000_000);
const SUBMITTED = flag('submitted', 1_000_000);
const RUNS = flag('runs', 3);
const BATCH = 10_000;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { base, connection, store, close } = await startBenchApp({
    OVERLAP_MAX_IDENTIFIERS: String(Math.max(SUBMITTED, 1_000_000)),
    OVERLAP_MAX_BYTES: String(Math.max(80 * 1024 * 1024, SUBMITTED * 70 + 1024)),
    OVERLAP_EPSILON_BUDGET: '1000',
  });

  try {
    const advertiser = await registerBenchUser(base, 'advertiser');
    const publisher = await registerBenchUser(base, 'publisher');
    console.log(`store: ${store}; members ${MEMBERS.toLocaleString('en')}, submitted ${SUBMITTED.toLocaleString('en')}`);

    let t0 = process.hrtime.bigint();
    const members = Array.from({ length: MEMBERS }, (_, i) => sha(`member-${i}@example.test`));
    const overlapping = Math.min(MEMBERS, Math.floor(SUBMITTED / 2));
    const submitted = [...members.slice(0, overlapping), ...Array.from({ length: SUBMITTED - overlapping }, (_, i) => sha(`stranger-${i}@example.test`))];
    const { listingId, audienceId } = await seedOverlap(connection, publisher.user.organizationId, members);
    console.log(`seeded ${MEMBERS.toLocaleString('en')} consented members + listing in ${(ms(t0) / 1000).toFixed(1)} s`);

    const rows: BenchRow[] = [];
    rows.push(await benchOverlap({ base, token: advertiser.accessToken, connection, listingId, audienceId, members, submitted, expected: overlapping }));
    rows.push(...(await benchExport({ base, connection, advertiser, publisherOrg: publisher.user.organizationId, listingId, audienceId, members: MEMBERS })));
    console.log(`peak RSS ${mb(process.resourceUsage().maxRSS)}`);
    reportResult({ bench: 'match and export', parameters: { members: MEMBERS, submitted: SUBMITTED, runs: RUNS }, rows });
  } finally {
    await close();
  }
}

async function benchOverlap(o: {
  base: string;
  token: string;
  connection: Connection;
  listingId: string;
  audienceId: Types.ObjectId;
  members: string[];
  submitted: string[];
  expected: number;
}): Promise<BenchRow> {
  // Baseline 1: both lists in memory, intersection only.
  const memory: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const set = new Set(o.submitted);
    let n = 0;
    for (const k of o.members) if (set.has(k)) n++;
    memory.push(ms(t0));
    if (n !== o.expected) throw new Error(`in-memory baseline counted ${n}, expected ${o.expected}`);
  }

  // Baseline 2: the same intersection, reading the members' keys with a raw driver cursor.
  const driver: number[] = [];
  const subjects = o.connection.collection('subjects');
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const set = new Set(o.submitted);
    let n = 0;
    const cursor = subjects.find({ audienceId: o.audienceId }, { projection: { key: 1, _id: 0 }, batchSize: BATCH });
    for await (const d of cursor) if (set.has(d.key as string)) n++;
    driver.push(ms(t0));
    if (n !== o.expected) throw new Error(`driver baseline counted ${n}, expected ${o.expected}`);
  }

  // The API: JSON body, validation, budget, consented filter, streaming count, noise, record.
  const body = JSON.stringify({ listingId: o.listingId, identifiers: o.submitted });
  const api: number[] = [];
  let last: any;
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${o.base}/v1/matching/overlap`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${o.token}` },
      body,
    });
    last = await res.json();
    api.push(ms(t0));
    if (res.status !== 200) throw new Error(`overlap answered ${res.status}: ${JSON.stringify(last)}`);
  }
  const rel = Math.abs(last.matchedEstimate - o.expected) / Math.max(1, o.expected);
  if (typeof last.matchedEstimate !== 'number' || rel > 0.06) throw new Error(`estimate ${last.matchedEstimate} is far from ${o.expected}`);

  const row = (name: string, xs: number[]) => `${name.padEnd(34)} median ${median(xs).toFixed(0).padStart(6)} ms   runs ${xs.map((x) => x.toFixed(0)).join(', ')}`;
  console.log(`\nOVERLAP (${RUNS} runs each; body ${(body.length / 1024 / 1024).toFixed(1)} MB; answer ${JSON.stringify({ submitted: last.submitted, matchedEstimate: last.matchedEstimate, matchRateEstimate: last.matchRateEstimate })})`);
  console.log(row('in-memory Set intersection', memory));
  console.log(row('driver cursor + Set intersection', driver));
  console.log(row('POST /v1/matching/overlap', api));
  const ratio = median(api) / median(driver);
  console.log(`ratio API / driver+Set: ${ratio.toFixed(2)}x (goal ≤ 2x)   API / in-memory: ${(median(api) / median(memory)).toFixed(1)}x`);
  if (ratio > 2) process.exitCode = 1;
  return {
    metric: `POST /v1/matching/overlap (${o.submitted.length} ids × ${o.members.length} members)`,
    value: median(api),
    unit: 'ms',
    baselineLabel: 'driver cursor read + in-process Set',
    baseline: median(driver),
    ratio: median(api) / median(driver),
    goal: 'ratio ≤ 2 (time)',
  };
}

/**
 * EXPORT: a paid order over the same members (order seeded directly: the bench has no Stripe peer), then the
 * delivery build (stream members, re-check consent, store delivered keys, seal the digest) and the NDJSON
 * download through the API, each against a raw driver cursor read of the same member documents in this run.
 */
async function benchExport(o: {
  base: string;
  connection: Connection;
  advertiser: { accessToken: string; user: { organizationId: string } };
  publisherOrg: string;
  listingId: string;
  audienceId: Types.ObjectId;
  members: number;
}): Promise<BenchRow[]> {
  const now = new Date();
  const listing = await o.connection.collection('listings').findOne({ _id: new Types.ObjectId(o.listingId) });
  const orderId = new Types.ObjectId();
  await o.connection.collection('orders').insertOne({
    _id: orderId, buyerOrgId: new Types.ObjectId(o.advertiser.user.organizationId), buyerUserId: new Types.ObjectId(),
    sellerOrgId: new Types.ObjectId(o.publisherOrg), listingId: listing!._id,
    snapshot: { listingId: o.listingId, version: 1, title: listing!.title, segmentId: String(listing!.segmentId), pricing: { model: 'flat', amount: 100_000, currency: 'eur' }, licenseDays: 30, requiredPurposes: [1, 3, 4], taxonomyIds: [663] },
    amount: 100_000, platformFee: 20_000, currency: 'eur', status: 'paid', paidAt: now,
    license: { startsAt: new Date(now.getTime() - 1000), expiresAt: new Date(now.getTime() + 30 * 86_400_000) }, rev: 1, createdAt: now, updatedAt: now,
  });

  let t0 = process.hrtime.bigint();
  let raw = 0;
  for await (const d of o.connection.collection('subjects').find({ audienceId: o.audienceId }, { projection: { key: 1, ids: 1, traits: 1, consent: 1, _id: 0 }, batchSize: BATCH })) {
    if (d.key) raw++;
  }
  const rawMs = ms(t0);

  const auth = { Authorization: `Bearer ${o.advertiser.accessToken}`, 'Content-Type': 'application/json' };
  t0 = process.hrtime.bigint();
  const created = await fetch(`${o.base}/v1/orders/${orderId}/deliveries`, { method: 'POST', headers: auth, body: JSON.stringify({ format: 'ndjson' }) });
  const delivery = (await created.json()) as { id: string; recordCount: number };
  const buildMs = ms(t0);
  if (created.status !== 201 || delivery.recordCount !== o.members) throw new Error(`delivery answered ${created.status} with ${delivery.recordCount} records`);

  t0 = process.hrtime.bigint();
  const dl = await fetch(`${o.base}/v1/deliveries/${delivery.id}/download`, { headers: auth });
  let lines = 0;
  for await (const chunk of dl.body as unknown as AsyncIterable<Uint8Array>) for (const b of chunk) if (b === 10) lines++;
  const downloadMs = ms(t0);
  if (lines !== o.members || raw !== o.members) throw new Error(`download had ${lines} lines, raw read ${raw}, expected ${o.members}`);

  console.log(`\nEXPORT (${o.members.toLocaleString('en')} members)`);
  console.log(`raw driver cursor read          ${rawMs.toFixed(0).padStart(8)} ms`);
  console.log(`POST deliveries (build + seal)  ${buildMs.toFixed(0).padStart(8)} ms   ratio raw/build ${(rawMs / buildMs).toFixed(2)}`);
  console.log(`GET download (NDJSON stream)    ${downloadMs.toFixed(0).padStart(8)} ms   ratio raw/download ${(rawMs / downloadMs).toFixed(2)} (goal ≥ 0.5)`);
  return [
    { metric: 'GET delivery download (NDJSON stream)', value: downloadMs, unit: 'ms', baselineLabel: 'raw driver cursor read of the members', baseline: rawMs, ratio: rawMs / downloadMs, goal: 'ratio ≥ 0.5 (throughput)' },
    { metric: 'POST delivery (consent re-check, store keys, seal digest)', value: buildMs, unit: 'ms', baselineLabel: 'raw driver cursor read of the members', baseline: rawMs, ratio: rawMs / buildMs },
  ];
}

/** An audience of consented members, a segment over it and an approved listing, inserted directly. */
async function seedOverlap(connection: Connection, org: string, keys: string[]): Promise<{ listingId: string; audienceId: Types.ObjectId }> {
  const orgId = new Types.ObjectId(org);
  const audienceId = new Types.ObjectId();
  const segmentId = new Types.ObjectId();
  const listingId = new Types.ObjectId();
  const now = new Date();
  const rules = { all: [{ trait: 'interests', op: 'eq', value: 'sport' }] };
  await connection.collection('audiences').insertOne({
    _id: audienceId, orgId, name: 'Bench members', source: 'web', dataType: 'first_party',
    subjectCount: keys.length, lastIngestAt: now, createdAt: now, updatedAt: now,
  });
  const subjects = connection.collection('subjects');
  const consent = { status: 'granted', purposes: [1, 2, 3, 4], vendorConsent: true, at: now, source: 'bench' };
  for (let i = 0; i < keys.length; i += BATCH) {
    const docs = keys.slice(i, i + BATCH).map((key) => ({
      _id: new Types.ObjectId(), orgId, audienceId, key, ids: { emailSha256: key }, traits: { interests: ['sport'], country: 'CMR' },
      consent, channels: ['web'], contentHash: sha(key), createdAt: now, updatedAt: now,
    }));
    await subjects.insertMany(docs, { ordered: false });
  }
  await connection.collection('segments').insertOne({
    _id: segmentId, orgId, name: 'Bench segment', audienceIds: [audienceId], rules,
    size: keys.length, consentedSize: keys.length, computedAt: now, createdAt: now, updatedAt: now,
  });
  const title = 'Bench overlap listing';
  await connection.collection('listings').insertOne({
    _id: listingId, orgId, segmentId, title, description: 'Bench', searchText: title.toLowerCase(),
    taxonomyIds: [663], taxonomyAncestorIds: [206, 607, 663], pricing: { model: 'cpm', amount: 250, currency: 'eur' },
    licenseDays: 30, requiredPurposes: [1, 3, 4], dataLabel: {}, status: 'approved', moderation: [], version: 1, rev: 2,
    publisherName: 'Bench publisher', countries: ['CMR'], dataTypes: ['first_party'], consentedSize: keys.length,
    sizeEstimate: keys.length, sortPrice: 250, submittedAt: now, approvedAt: now, listedAt: now, createdAt: now, updatedAt: now,
  });
  return { listingId: String(listingId), audienceId };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
