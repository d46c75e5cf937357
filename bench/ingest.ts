/**
 * Ingest benchmark: streams N synthetic records through POST /v1/audiences/:id/records of the app running as in
 * production (`node dist/main.js`, in a child process), then writes the same documents (same `_id`s, into a
 * collection with the same indexes as `subjects`) with the raw driver's bulkWrite on the same server, and prints
 * records/s for both, their ratio, and the server's peak RSS during the upload.
 *
 *   npm run bench:ingest -- [--records N] [--million] [--postgresql]
 *
 * Uses MONGODB_URI when set, else a fresh embedded FerretDB (over SQLite; --postgresql: over the local PostgreSQL).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { MongoClient, ObjectId } from 'mongodb';
import { subjectContentHash } from '../src/audiences/ingest/content-hash';
import { subjectId } from '../src/audiences/subjects.repository';
import { peakRssOf, registerBenchUser, startBenchServer, startBenchStore } from './server-process';
import { reportResult } from './report';

/** The app's batch size (INGEST_BATCH_SIZE, default 1000); the raw baseline writes batches of the same size. */
const BATCH = Number(process.env.INGEST_BATCH_SIZE ?? 1000);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const N = process.argv.includes('--million') ? 1_000_000 : Number(arg('--records') ?? 200_000);
if (!Number.isInteger(N) || N <= 0) throw new Error('--records must be a positive integer');

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const record = (i: number) => ({
  email: `bench.user${i}@example.com`,
  traits: { age_band: ['18-24', '25-34', '35-44', '45-54'][i % 4], visits: i % 97, subscriber: i % 3 === 0, interests: ['sport', 'news'] },
  consent: { status: 'granted', purposes: [1, 3, 4], at: '2024-06-01T00:00:00Z' },
});

function* ndjson(): Generator<string> {
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    lines.push(JSON.stringify(record(i)));
    if (lines.length === 500) yield lines.splice(0).join('\n') + '\n';
  }
  if (lines.length) yield lines.join('\n') + '\n';
}

async function json(base: string, method: string, path: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Streams the NDJSON upload over node:http (no client-side timeout: a 1M upload runs for minutes). */
function upload(base: string, path: string, token: string): Promise<any> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, method: 'POST', path, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson' } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${res.statusCode} ${text}`))));
      },
    );
    req.on('error', reject);
    Readable.from(ndjson()).pipe(req);
  });
}

const mib = (kib: number) => Math.round(kib / 1024);

async function main(): Promise<void> {
  const store = await startBenchStore(process.argv.includes('--postgresql') ? 'postgresql' : 'sqlite');
  const server = await startBenchServer(store.uri, { UPLOAD_TIMEOUT_SECONDS: '7200' });
  const client = new MongoClient(store.uri);
  try {
    await client.connect();
    const db = client.db();
    const session = await registerBenchUser(server.base, 'publisher');
    const audience = await json(server.base, 'POST', '/v1/audiences', { name: 'bench', source: 'web', dataType: 'first_party' }, session.accessToken);

    console.log(`records: ${N}, batch size: ${BATCH}, store: ${store.label}`);
    server.resetPeak();
    let t0 = performance.now();
    const result = await upload(server.base, `/v1/audiences/${audience.id}/records`, session.accessToken);
    const apiSeconds = (performance.now() - t0) / 1000;
    const serverPeakKiB = server.peakRssKiB();
    if (result.inserted !== N) throw new Error(`expected ${N} inserted, got ${JSON.stringify({ ...result, errors: result.errors.slice(0, 3) })}`);

    // The same documents (same _id scheme, same indexes as `subjects`), straight through the driver: hashing
    // done here, one unordered bulkWrite of insertOne ops per batch.
    const raw = db.collection('bench_raw_subjects');
    for (const spec of await db.collection('subjects').indexes()) {
      if (spec.name !== '_id_') await raw.createIndex(spec.key, { name: spec.name, unique: spec.unique ?? false });
    }
    const orgId = new ObjectId(session.user.organizationId);
    const audienceId = new ObjectId(audience.id);
    t0 = performance.now();
    for (let i = 0; i < N; i += BATCH) {
      const now = new Date();
      const ops = [];
      for (let j = i; j < Math.min(N, i + BATCH); j++) {
        const r = record(j);
        const key = sha(r.email.toLowerCase());
        const consent = { status: 'granted', purposes: [1, 3, 4], vendorConsent: true, at: new Date(r.consent.at), source: 'ingest' };
        const ids = { emailSha256: key };
        ops.push({
          insertOne: {
            document: {
              _id: subjectId(audienceId, key) as unknown as ObjectId, orgId, audienceId, key, ids, traits: r.traits, consent,
              contentHash: subjectContentHash({ ids, traits: r.traits, consent }), channels: ['web'], createdAt: now, updatedAt: now,
            },
          },
        });
      }
      await raw.bulkWrite(ops, { ordered: false });
    }
    const rawSeconds = (performance.now() - t0) / 1000;

    const apiRate = N / apiSeconds;
    const rawRate = N / rawSeconds;
    const storePeak = store.pid ? mib(peakRssOf(store.pid)) : undefined;
    console.log(`HTTP ingest : ${apiRate.toFixed(0)} records/s (${apiSeconds.toFixed(2)} s)`);
    console.log(`raw driver  : ${rawRate.toFixed(0)} records/s (${rawSeconds.toFixed(2)} s)`);
    console.log(`ratio       : ${(apiRate / rawRate).toFixed(2)} (HTTP / raw)`);
    console.log(`peak RSS    : server ${mib(serverPeakKiB)} MiB during the upload; load generator ${mib(process.resourceUsage().maxRSS)} MiB${storePeak ? `; FerretDB ${storePeak} MiB` : ''}`);
    reportResult({
      bench: 'ingest',
      parameters: { records: N, 'batch size': BATCH, store: store.label },
      rows: [
        { metric: 'HTTP ingest (NDJSON stream)', value: apiRate, unit: 'records/s', baselineLabel: 'raw driver bulkWrite of the same documents', baseline: rawRate, ratio: apiRate / rawRate, goal: 'ratio ≥ 0.8; RSS < 300 MB at 1M' },
      ],
      rssMiB: {
        'server (upload)': mib(serverPeakKiB),
        'load generator': mib(process.resourceUsage().maxRSS),
        ...(storePeak ? { FerretDB: storePeak } : {}),
      },
    });
  } finally {
    await client.close();
    await server.close();
    await store.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
