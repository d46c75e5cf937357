import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startFerretDb } from '../src/database/ferretdb';

/**
 * Starts the real peers once per run: a MongoDB-wire server (MONGODB_URI if given, else FerretDB over SQLite
 * or PostgreSQL) and Stripe's stripe-mock. Test workers inherit the addresses through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const g = globalThis as any;
  if (!process.env.MONGODB_URI) {
    const handler = (process.env.TEST_FERRETDB_HANDLER ?? 'sqlite') as 'sqlite' | 'postgresql';
    const stateDir = mkdtempSync(join(tmpdir(), 'audex-ferret-'));
    const ferret = await startFerretDb({
      handler,
      stateDir,
      postgresqlUrl: process.env.TEST_POSTGRESQL_URL ?? 'postgres://root@127.0.0.1:5432/audex_test',
    });
    g.__FERRET__ = ferret;
    process.env.TEST_MONGODB_BASE = `mongodb://127.0.0.1:${ferret.port}`;
  } else {
    process.env.TEST_MONGODB_BASE = process.env.MONGODB_URI.replace(/\/[^/?]*(\?.*)?$/, '');
    delete process.env.MONGODB_URI;
  }

  if (!process.env.STRIPE_API_HOST) {
    const bin = execFileSync('bash', [resolve(process.cwd(), 'scripts', 'build-stripe-mock.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .pop()!;
    const port = await freePort();
    const sock = join(mkdtempSync(join(tmpdir(), 'audex-stripe-')), 'https.sock');
    // Plain HTTP on loopback only; the HTTPS listener goes to a unix socket nobody uses.
    const child = spawn(bin, ['-http-addr', `127.0.0.1:${port}`, '-https-unix', sock], { stdio: 'ignore' });
    g.__STRIPE_MOCK__ = child;
    await waitForHttp(`http://127.0.0.1:${port}/v1/charges`, 30_000);
    process.env.STRIPE_API_HOST = '127.0.0.1';
    process.env.STRIPE_API_PORT = String(port);
    process.env.STRIPE_API_PROTOCOL = 'http';
  }
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { headers: { Authorization: 'Bearer sk_test_123' } });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
