import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Connection } from 'mongoose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { type RunningFerret, startFerretDb } from '../src/database/ferretdb';

export interface BenchApp {
  base: string;
  connection: Connection;
  /** What the figures were measured on, for the printout. */
  store: string;
  close(): Promise<void>;
}

/**
 * The real app, configured as in production, listening on a free loopback port: on MONGODB_URI, or on a fresh
 * embedded FerretDB (stopped and removed by close()). Rate limits are lifted; `env` adds configuration.
 */
export async function startBenchApp(env: Record<string, string> = {}): Promise<BenchApp> {
  let ferret: RunningFerret | undefined;
  let stateDir: string | undefined;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    stateDir = mkdtempSync(join(tmpdir(), 'audex-bench-'));
    ferret = await startFerretDb({ handler: 'sqlite', stateDir, sqliteDir: join(stateDir, 'sqlite'), database: 'audex_bench' });
    uri = ferret.uri;
  }
  Object.assign(process.env, {
    MONGODB_URI: uri,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '10000000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    ...env,
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, logger: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  return {
    base: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`,
    connection: app.get<Connection>(getConnectionToken()),
    store: ferret ? 'embedded FerretDB/SQLite' : 'MONGODB_URI',
    async close() {
      await app.close();
      await ferret?.stop();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export { registerBenchUser } from './server-process';
