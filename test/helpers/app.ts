import 'reflect-metadata';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Connection } from 'mongoose';
import { Writable } from 'node:stream';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { configureRootLogger } from '../../src/common/logger';
import { PinoNestLogger } from '../../src/common/nest-logger';

export const ADMIN_EMAIL = 'admin@audex.test';
export const ADMIN_PASSWORD = 'admin-password-for-tests-only';

let counter = 0;

export interface TestApp {
  app: NestExpressApplication;
  http: () => ReturnType<typeof request>;
  connection: Connection;
  /** Every log line the app wrote, when started with captureLogs. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * The whole app, configured as in production, on a database of its own (named *test*, dropped on close).
 * `env` overrides configuration for this app only; `providers` replaces providers' values (test doubles at the
 * edge only, such as the webhook resolver).
 */
export async function createTestApp(
  opts: { env?: Record<string, string>; captureLogs?: boolean; providers?: { token: unknown; value: unknown }[] } = {},
): Promise<TestApp> {
  const base = process.env.TEST_MONGODB_BASE;
  if (!base) throw new Error('TEST_MONGODB_BASE is not set: run e2e tests through jest (global setup)');
  const dbName = `audex_test_${process.env.JEST_WORKER_ID ?? '0'}_${Date.now().toString(36)}_${counter++}`;
  if (!/test/.test(dbName)) throw new Error(`refusing to run tests on database ${dbName}`);

  const saved = { ...process.env };
  Object.assign(process.env, {
    NODE_ENV: 'test',
    MONGODB_URI: `${base}/${dbName}`,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: opts.captureLogs ? 'trace' : 'silent',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    RATE_LIMIT_PER_MINUTE: '100000',
    ...opts.env,
  });
  const logs: string[] = [];
  configureRootLogger(
    process.env.LOG_LEVEL!,
    new Writable({
      write(chunk, _enc, cb) {
        logs.push(chunk.toString());
        cb();
      },
    }),
  );
  let app: NestExpressApplication;
  try {
    const builder = Test.createTestingModule({ imports: [AppModule] });
    for (const p of opts.providers ?? []) builder.overrideProvider(p.token).useValue(p.value);
    const moduleRef = await builder.compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: new PinoNestLogger() });
    configureApp(app);
    await app.init();
  } finally {
    process.env = saved;
  }
  const connection = app.get<Connection>(getConnectionToken());
  const server = app.getHttpServer();
  return {
    app,
    http: () => request(server),
    connection,
    logs,
    async close() {
      await connection.dropDatabase().catch(() => undefined);
      await app.close();
    },
  };
}
