import { Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import mongoose from 'mongoose';
import { join, resolve } from 'node:path';
import { type AppConfig, APP_CONFIG } from '../config/config';
import { rootLogger } from '../common/logger';
import { type RunningFerret, startFerretDb } from './ferretdb';

mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', 'throw');

/** Starts the embedded FerretDB when MONGODB_URI is unset, and stops it with the app. */
@Injectable()
export class EmbeddedDatabase implements OnApplicationShutdown {
  private running?: RunningFerret;

  async resolveUri(config: AppConfig): Promise<string> {
    if (config.mongodbUri) return config.mongodbUri;
    const dir = resolve(config.dataDir, 'ferretdb');
    this.running = await startFerretDb({ handler: 'sqlite', stateDir: dir, sqliteDir: join(dir, 'sqlite') });
    rootLogger().info({ port: this.running.port }, 'embedded FerretDB started');
    return this.running.uri;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }
}

@Global()
@Module({
  providers: [EmbeddedDatabase],
  exports: [EmbeddedDatabase],
})
class EmbeddedDatabaseModule {}

export const DatabaseModule = MongooseModule.forRootAsync({
  imports: [EmbeddedDatabaseModule],
  inject: [APP_CONFIG, EmbeddedDatabase],
  useFactory: async (config: AppConfig, embedded: EmbeddedDatabase) => ({
    uri: await embedded.resolveUri(config),
    autoIndex: true,
    autoCreate: true,
    serverSelectionTimeoutMS: 10_000,
  }),
});
