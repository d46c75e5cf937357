import { type LoggerService } from '@nestjs/common';
import { rootLogger } from './logger';

/** Routes Nest's own log lines into the structured pino log. */
export class PinoNestLogger implements LoggerService {
  log(message: unknown, context?: string) {
    rootLogger().info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    rootLogger().error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    rootLogger().warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    rootLogger().debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    rootLogger().trace({ context }, String(message));
  }
}
