/**
 * The app as production runs it (`npm run build`, then `node dist/main.js`) in a child process, and the store it
 * runs on, for benchmarks that measure the server's memory apart from the load generator's. This module does
 * not import the app, so the load generator's own RSS holds only the driver, the generator and its data.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FERRETDB_VERSION, freePort, startFerretDb } from '../src/database/ferretdb';

export interface BenchStore {
  uri: string;
  /** What the figures were measured on, for the printout. */
  label: string;
  /** The embedded FerretDB's process id (to read its peak RSS), if this run started one. */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * MONGODB_URI, else a fresh embedded FerretDB over SQLite (`sqlite`) or over a new database of the local
 * PostgreSQL (`postgresql`: BENCH_PG_URL, default postgres://root@127.0.0.1:5432), removed by stop().
 */
export async function startBenchStore(handler: 'sqlite' | 'postgresql' = 'sqlite'): Promise<BenchStore> {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, label: 'MONGODB_URI', stop: async () => {} };
  const stateDir = mkdtempSync(join(tmpdir(), 'audex-bench-'));
  const pgBase = (process.env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432').replace(/\/+$/, '');
  const pgDatabase = handler === 'postgresql' ? `audex_bench_${process.pid}_${Date.now()}` : undefined;
  const psql = (sql: string) => execFileSync('psql', [`${pgBase}/postgres`, '-qc', sql], { stdio: 'inherit' });
  if (pgDatabase) psql(`CREATE DATABASE ${pgDatabase}`);
  const ferret = await startFerretDb({
    handler,
    stateDir,
    sqliteDir: join(stateDir, 'sqlite'),
    postgresqlUrl: pgDatabase && `${pgBase}/${pgDatabase}`,
    database: 'audex_bench',
  });
  return {
    uri: ferret.uri,
    label: `embedded FerretDB ${FERRETDB_VERSION} over ${handler === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    pid: ferret.process.pid,
    async stop() {
      await ferret.stop();
      rmSync(stateDir, { recursive: true, force: true });
      if (pgDatabase) psql(`DROP DATABASE IF EXISTS ${pgDatabase}`);
    },
  };
}

export interface BenchServer {
  base: string;
  pid: number;
  /** The server's peak RSS in KiB (VmHWM) since it started or since the last resetPeak(). */
  peakRssKiB(): number;
  /** Starts a new peak-RSS window (Linux: writing 5 to /proc/<pid>/clear_refs); false where unsupported. */
  resetPeak(): boolean;
  close(): Promise<void>;
}

/** Peak RSS (VmHWM) of a process in KiB, from /proc; NaN where /proc is unavailable. */
export function peakRssOf(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Builds the app (tsc, into dist/) and starts `node dist/main.js` on `uri` with rate limits lifted, logging off
 * and `env` added; resolves once GET /health answers. close() stops it.
 */
export async function startBenchServer(uri: string, env: Record<string, string> = {}): Promise<BenchServer> {
  execFileSync(process.execPath, [join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const port = await freePort();
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'main.js')], {
    env: {
      ...process.env,
      // As `npm start` and the Dockerfile run it (docs/operations.md, "Memory").
      MALLOC_MMAP_THRESHOLD_: '131072',
      NODE_OPTIONS: `--max-old-space-size=512 ${process.env.NODE_OPTIONS ?? ''}`.trim(),
      MONGODB_URI: uri,
      PORT: String(port),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '10000000',
      LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode} before listening`);
    const up = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the app did not answer GET /health within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid!;
  return {
    base,
    pid,
    peakRssKiB: () => peakRssOf(pid),
    resetPeak() {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    close: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Registers a publisher or advertiser through the API. Access tokens live at most 15 minutes and a 1M run takes
 * longer: login() answers a fresh one.
 */
export async function registerBenchUser(base: string, role: 'publisher' | 'advertiser') {
  const credentials = { email: `bench-${role}-${Date.now()}@example.test`, password: 'correct horse battery' };
  const res = await fetch(`${base}/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...credentials, role, organizationName: `Bench ${role}` }),
  });
  if (res.status !== 201) throw new Error(`register ${role}: ${res.status} ${await res.text()}`);
  const registered = (await res.json()) as { accessToken: string; user: { organizationId: string } };
  return {
    ...registered,
    async login(): Promise<string> {
      const again = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(credentials) });
      if (again.status !== 200) throw new Error(`login ${role}: ${again.status} ${await again.text()}`);
      return ((await again.json()) as { accessToken: string }).accessToken;
    },
  };
}
