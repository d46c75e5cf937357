import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFerretDb } from '../src/database/ferretdb';
import { startStripeMock } from '../scripts/stripe-mock';

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
    const mock = await startStripeMock();
    g.__STRIPE_MOCK__ = mock;
    process.env.STRIPE_API_HOST = '127.0.0.1';
    process.env.STRIPE_API_PORT = String(mock.port);
    process.env.STRIPE_API_PROTOCOL = 'http';
  }
}
