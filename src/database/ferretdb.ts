import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join, resolve } from 'node:path';

/**
 * The embedded MongoDB-wire server: FerretDB v1.24.2 over an SQLite directory (or PostgreSQL), built from the
 * Go module proxy by scripts/build-ferretdb.sh and cached outside the repository.
 */
export const FERRETDB_VERSION = 'v1.24.2';
/** Our fixes on top of the release (scripts/ferretdb-v1.24.2-fixes.patch); part of the cached binary's name. */
export const FERRETDB_PATCH_LEVEL = 'audex.1';
// Compiled to CommonJS in dist/ (src/database → two levels up); loaded as ESM under Jest, run from the root.
const PROJECT_ROOT = typeof __dirname === 'string' ? resolve(__dirname, '..', '..') : process.cwd();

export class EmbeddedDatabaseUnavailable extends Error {}

export interface FerretOptions {
  /** sqlite: a directory of its own; postgresql: a PostgreSQL URL */
  handler: 'sqlite' | 'postgresql';
  sqliteDir?: string;
  postgresqlUrl?: string;
  stateDir: string;
  port?: number;
  database?: string;
}

export interface RunningFerret {
  uri: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

function hasGo(): boolean {
  if (existsSync('/usr/local/go/bin/go')) return true;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Path of the FerretDB binary, building it on first use. */
export function ensureFerretBinary(): string {
  if (process.env.FERRETDB_BIN && existsSync(process.env.FERRETDB_BIN)) return process.env.FERRETDB_BIN;
  const script = join(PROJECT_ROOT, 'scripts', 'build-ferretdb.sh');
  const cacheDir = process.env.AUDEX_CACHE_DIR ?? join(process.env.HOME ?? '/tmp', '.cache', 'audex');
  const cached = join(cacheDir, 'bin', `ferretdb-${FERRETDB_VERSION}-${FERRETDB_PATCH_LEVEL}`);
  if (existsSync(cached)) return cached;
  if (!hasGo()) {
    throw new EmbeddedDatabaseUnavailable(
      'No database: set MONGODB_URI=mongodb://host:27017/audex (MongoDB 7+), or install Go 1.26+ so the embedded FerretDB can be built.',
    );
  }
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const bin = out.trim().split('\n').pop()!.trim();
  if (!existsSync(bin)) throw new EmbeddedDatabaseUnavailable(`FerretDB build did not produce ${bin}`);
  return bin;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((res) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
      s.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`FerretDB did not listen on ${port} within ${timeoutMs} ms`);
}

export async function startFerretDb(opts: FerretOptions): Promise<RunningFerret> {
  const bin = ensureFerretBinary();
  const port = opts.port ?? (await freePort());
  mkdirSync(opts.stateDir, { recursive: true });
  const args = [
    `--listen-addr=127.0.0.1:${port}`,
    `--state-dir=${opts.stateDir}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=error',
    `--handler=${opts.handler}`,
  ];
  if (opts.handler === 'sqlite') {
    const dir = resolve(opts.sqliteDir ?? join(opts.stateDir, 'sqlite'));
    mkdirSync(dir, { recursive: true });
    args.push(`--sqlite-url=file:${dir}/`);
  } else {
    args.push(`--postgresql-url=${opts.postgresqlUrl}`);
  }
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  try {
    await waitForPort(port, child, 30_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  const uri = `mongodb://127.0.0.1:${port}/${opts.database ?? 'audex'}`;
  return {
    uri,
    port,
    process: child,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(t);
          res();
        });
        child.kill('SIGTERM');
      }),
  };
}
