/**
 * npm run bench:browse — marketplace search throughput against a trivial baseline, in one run.
 *
 * Starts the real app in-process (MONGODB_URI, or an embedded FerretDB exactly as src/database/ferretdb.ts
 * starts it), seeds BENCH_LISTINGS approved listings by direct insert, signs up an advertiser over HTTP, then
 * drives GET /health, GET /v1/auth/me (authenticated baseline) and GET /v1/marketplace/listings with autocannon at a
 * fixed overall rate (each first warmed up, unmeasured, for --warmup seconds) and prints req/s and p99 latency for
 * both, and their ratio. autocannon runs in a child process
 * (bench/load.ts), so the app's event loop serves requests and nothing else.
 */
import 'reflect-metadata';
import type autocannon from 'autocannon';
import { type Connection, Types } from 'mongoose';
import { registerBenchUser, startBenchApp } from './harness';
import { loadTest } from './load';
import { reportResult } from './report';

const LISTINGS = Number(process.env.BENCH_LISTINGS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const durationFlag = process.argv.indexOf('--duration');
const DURATION = Number(durationFlag >= 0 ? process.argv[durationFlag + 1] : (process.env.BENCH_DURATION ?? 15));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const warmupFlag = process.argv.indexOf('--warmup');
const WARMUP = Number(warmupFlag >= 0 ? process.argv[warmupFlag + 1] : (process.env.BENCH_WARMUP ?? 3));

const TOPICS = [
  ['football', 663], ['basketball', 614], ['tennis', 669], ['travel', 727], ['cooking', 371], ['jazz', 499],
  ['gardening', 458], ['fiction', 264], ['startups', 277], ['dogs', 544], ['cycling', 625], ['golf', 644],
] as const;
const COUNTRIES = ['CMR', 'NGA', 'FRA', 'GBR', 'USA', 'DEU', 'SEN', 'CIV'];
const DATA_TYPES = ['first_party', 'second_party', 'third_party'];

async function main(): Promise<void> {
  const { base, connection, store, close } = await startBenchApp();

  try {
    const advertiser = await registerBenchUser(base, 'advertiser');
    const publisher = await registerBenchUser(base, 'publisher');
    const seeded = await seed(connection, publisher.user.organizationId);
    console.log(`seeded ${seeded} approved listings (${store})`);

    const auth = { Authorization: `Bearer ${advertiser.accessToken}` };
    const searchPath = '/v1/marketplace/listings?q=football&country=CMR&sort=price&limit=20';
    const sample = await fetch(base + searchPath, { headers: auth });
    const body = (await sample.json()) as { items: unknown[] };
    if (sample.status !== 200 || !body.items.length) throw new Error(`search answered ${sample.status} with ${body.items?.length} items`);

    // Unmeasured warm-up of every endpoint first, so no figure includes JIT compilation or the database settling
    // after the seed (without it, whichever endpoint runs first pays for both, and that was the baseline).
    if (WARMUP > 0) {
      for (const [url, headers] of [[`${base}/health`, {}], [`${base}/v1/auth/me`, auth], [base + searchPath, auth]] as const) {
        await loadTest({ url, headers, connections: CONNECTIONS, duration: WARMUP, overallRate: RATE });
      }
    }

    const health = await run(`${base}/health`, {});
    // An authenticated no-op: what bearer-token checking alone costs (the strategy loads the user each request).
    const me = await run(`${base}/v1/auth/me`, auth);
    const search = await run(base + searchPath, auth);
    // The advertiser's token lives 15 minutes at most; the bench stays well inside that.
    const row = (name: string, r: autocannon.Result) =>
      `${name.padEnd(22)} ${r.requests.average.toFixed(1).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
    console.log(`\nautocannon: overallRate ${RATE}/s, ${CONNECTIONS} connections, ${DURATION}s each after ${WARMUP}s of warm-up each`);
    console.log(row('GET /health', health));
    console.log(row('GET /v1/auth/me', me));
    console.log(row('GET marketplace search', search));
    console.log(
      `ratio search/health: throughput ${(search.requests.average / health.requests.average).toFixed(2)}, p99 ${(search.latency.p99 / Math.max(health.latency.p99, 1)).toFixed(1)}x`,
    );
    if (search.non2xx || search.errors) process.exitCode = 1;
    reportResult({
      bench: 'browse',
      parameters: { listings: LISTINGS, 'target rate (req/s)': RATE, connections: CONNECTIONS, 'duration (s)': DURATION, 'warm-up (s)': WARMUP },
      rows: [
        { metric: 'marketplace search p99', value: search.latency.p99, unit: 'ms', baselineLabel: 'GET /health p99', baseline: health.latency.p99, ratio: search.latency.p99 / Math.max(health.latency.p99, 1), goal: 'p99 ≤ 3× baseline' },
        { metric: 'marketplace search throughput', value: search.requests.average, unit: 'req/s', baselineLabel: 'GET /health', baseline: health.requests.average, ratio: search.requests.average / health.requests.average, goal: 'sustain 500 req/s' },
        { metric: 'authenticated no-op (GET /v1/auth/me) throughput', value: me.requests.average, unit: 'req/s', baselineLabel: 'GET /health', baseline: health.requests.average, ratio: me.requests.average / health.requests.average },
      ],
    });
  } finally {
    await close();
  }
}

/** Each endpoint is driven the same way: autocannon in a child process, so this process only serves. */
function run(url: string, headers: Record<string, string>): Promise<autocannon.Result> {
  return loadTest({ url, headers, connections: CONNECTIONS, duration: DURATION, overallRate: RATE });
}

/** Approved listings in the exact shape ListingsService writes at approval (direct insert, for speed). */
async function seed(connection: Connection, orgId: string): Promise<number> {
  const now = Date.now();
  const docs = Array.from({ length: LISTINGS }, (_, i) => {
    const [topic, taxonomyId] = TOPICS[i % TOPICS.length];
    const country = COUNTRIES[i % COUNTRIES.length];
    const title = `${topic} fans ${country} #${i}`;
    const description = `Adults interested in ${topic}, seen on our sites in ${country}.`;
    const size = 100 + ((i * 7919) % 500_000);
    const amount = 50 + ((i * 104729) % 2000);
    const at = new Date(now - i * 60_000);
    return {
      _id: new Types.ObjectId(),
      orgId: new Types.ObjectId(orgId),
      segmentId: new Types.ObjectId(),
      title,
      description,
      searchText: `${title} ${description}`.toLowerCase(),
      taxonomyIds: [taxonomyId],
      taxonomyAncestorIds: [206, 607, taxonomyId],
      pricing: { model: 'cpm', amount, currency: 'eur' },
      licenseDays: 30,
      requiredPurposes: [1, 3, 4],
      dataLabel: { providerName: 'Bench publisher', inclusionMethodology: 'declared', geography: [country], audienceSize: size },
      status: 'approved',
      moderation: [],
      version: 1,
      stateSeq: 2,
      publisherName: 'Bench publisher',
      countries: [country],
      dataTypes: [DATA_TYPES[i % 3]],
      consentedSize: size,
      sizeEstimate: size,
      sortPrice: amount,
      submittedAt: at,
      approvedAt: at,
      listedAt: at,
      createdAt: at,
      updatedAt: at,
    };
  });
  const listings = connection.collection('listings');
  for (let i = 0; i < docs.length; i += 1000) await listings.insertMany(docs.slice(i, i + 1000));
  return listings.countDocuments({ status: 'approved' });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
