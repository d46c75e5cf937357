import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { configureRootLogger, rootLogger } from './common/logger';
import { PinoNestLogger } from './common/nest-logger';
import { ConfigError, loadConfig } from './config/config';
import { EmbeddedDatabaseUnavailable } from './database/ferretdb';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  configureRootLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bodyParser: false,
    logger: new PinoNestLogger(),
  });
  configureApp(app);
  await app.listen(config.port);
  rootLogger().info({ port: config.port, docs: `${config.publicBaseUrl}/docs` }, 'Audex API listening');
}

bootstrap().catch((e) => {
  if (e instanceof EmbeddedDatabaseUnavailable || e?.cause instanceof EmbeddedDatabaseUnavailable) {
    process.stderr.write(`${(e.cause ?? e).message}\n`);
  } else {
    process.stderr.write(`Audex failed to start: ${e?.stack ?? e}\n`);
  }
  process.exit(1);
});
