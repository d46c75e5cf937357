/**
 * Ingest benchmark: streams N synthetic records through POST /v1/audiences/:id/records of an in-process app,
 * then writes the same documents with the raw driver's bulkWrite into another collection of the same server,
 * and prints records/s for both, their ratio and peak RSS.
 *
 *   npm run bench:ingest -- [--records N] [--million]
 *
 * Uses MONGODB_URI when set (a database named audex_bench_<time>), else the embedded FerretDB in a fresh
 * temporary data directory. Both are dropped at the end.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type Connection, Types } from 'mongoose';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { subjectContentHash } from '../src/audiences/ingest/content-hash';
import { subjectId } from '../src/audiences/subjects.repository';
import { type AppConfig, APP_CONFIG } from '../src/config/config';
import { reportResult } from './report';

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

async function json(port: number, method: string, path: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function upload(port: number, path: string, token: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson' } },
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

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'audex-bench-'));
  if (process.env.MONGODB_URI) {
    process.env.MONGODB_URI = process.env.MONGODB_URI.replace(/\/[^/?]*(\?|$)/, `/audex_bench_${Date.now().toString(36)}$1`);
  }
  Object.assign(process.env, { AUDEX_DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '10000000', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' });

  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, logger: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const config = app.get<AppConfig>(APP_CONFIG);
  const connection = app.get<Connection>(getConnectionToken());
  try {
    const session = await json(port, 'POST', '/v1/auth/register', {
      email: `bench-${Date.now()}@example.com`, password: 'bench password 123', role: 'publisher', organizationName: 'Bench',
    });
    const audience = await json(port, 'POST', '/v1/audiences', { name: 'bench', source: 'web', dataType: 'first_party' }, session.accessToken);

    console.log(`records: ${N}, batch size: ${config.upload.batchSize}, database: ${config.mongodbUri ? 'MONGODB_URI' : 'embedded FerretDB'}`);
    let t0 = performance.now();
    const result = await upload(port, `/v1/audiences/${audience.id}/records`, session.accessToken);
    const apiSeconds = (performance.now() - t0) / 1000;
    if (result.inserted !== N) throw new Error(`expected ${N} inserted, got ${JSON.stringify({ ...result, errors: result.errors.slice(0, 3) })}`);

    // The same documents (same _id scheme, same indexes as `subjects`), straight through the driver: hashing
    // done here, one unordered bulkWrite per batch.
    const db = connection.getClient().db(connection.db!.databaseName);
    const raw = db.collection('bench_raw_subjects');
    for (const spec of await db.collection('subjects').indexes()) {
      if (spec.name !== '_id_') await raw.createIndex(spec.key, { name: spec.name, unique: spec.unique ?? false });
    }
    const orgId = new Types.ObjectId(session.user.organizationId);
    const audienceId = new Types.ObjectId(audience.id);
    t0 = performance.now();
    for (let i = 0; i < N; i += config.upload.batchSize) {
      const now = new Date();
      const ops = [];
      for (let j = i; j < Math.min(N, i + config.upload.batchSize); j++) {
        const r = record(j);
        const key = sha(r.email.toLowerCase());
        const consent = { status: 'granted', purposes: [1, 3, 4], vendorConsent: true, at: new Date(r.consent.at), source: 'ingest' };
        const ids = { emailSha256: key };
        // Fresh keys, as in the HTTP run: insertOne ops (the app also inserts keys its batch read did not find).
        ops.push({
          insertOne: {
            document: {
              _id: subjectId(audienceId, key) as unknown as Types.ObjectId, orgId, audienceId, key, ids, traits: r.traits, consent,
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
    console.log(`HTTP ingest : ${apiRate.toFixed(0)} records/s (${apiSeconds.toFixed(2)} s)`);
    console.log(`raw driver  : ${rawRate.toFixed(0)} records/s (${rawSeconds.toFixed(2)} s)`);
    console.log(`ratio       : ${(apiRate / rawRate).toFixed(2)} (HTTP / raw)`);
    console.log(`peak RSS    : ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    reportResult({
      bench: 'ingest',
      parameters: { records: N, 'batch size': config.upload.batchSize },
      rows: [
        { metric: 'HTTP ingest (NDJSON stream)', value: apiRate, unit: 'records/s', baselineLabel: 'raw driver bulkWrite of the same documents', baseline: rawRate, ratio: apiRate / rawRate, goal: 'ratio ≥ 0.8; RSS < 300 MB at 1M' },
      ],
    });
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
