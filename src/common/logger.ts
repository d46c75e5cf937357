import pino, { DestinationStream, Logger } from 'pino';

let logger: Logger = pino({ level: 'silent' });

/** Fields that may carry credentials or personal data; they never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.email',
  '*.phone',
  '*.refreshToken',
  '*.accessToken',
];

export function configureRootLogger(level: string, destination?: DestinationStream): Logger {
  logger = pino(
    {
      level,
      base: { service: 'audex' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination(1),
  );
  return logger;
}

export function rootLogger(): Logger {
  return logger;
}
