import { type INestApplication } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import pinoHttp from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { rootLogger } from './common/logger';
import { globalValidationPipe } from './common/validation';
import { type AppConfig, APP_CONFIG } from './config/config';
import { overlapBodyParser } from './matching/overlap-body';
import { buildOpenApi } from './openapi';

/** Paths whose bodies are not parsed as JSON here: streamed uploads, and Stripe webhooks that need the raw bytes. */
export const STREAMED_BODY = /^\/v1\/audiences\/[^/]+\/records\/?$/;
export const RAW_BODY = /^\/v1\/payments\/webhook\/?$/;
/**
 * The one JSON route allowed a large body: an overlap submission carries up to OVERLAP_MAX_IDENTIFIERS hashes, read
 * as it streams in (src/matching/overlap-body.ts) rather than parsed whole.
 */
export const OVERLAP_BODY = /^\/v1\/matching\/overlap\/?$/;

/** Everything between Nest and the wire; main.ts and every e2e test call this, so tests run what production runs. */
export function configureApp(app: NestExpressApplication | INestApplication): void {
  const config = app.get<AppConfig>(APP_CONFIG);
  const http = app as NestExpressApplication;
  http.disable('x-powered-by');
  // A streamed upload may take longer than Node's 300 s request timeout (headersTimeout still bounds slow headers).
  const server = http.getHttpServer() as { requestTimeout?: number };
  if (server) server.requestTimeout = config.upload.requestTimeoutMs;

  http.use(
    pinoHttp({
      logger: rootLogger(),
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Only method, path and status: never query strings or bodies, which may carry tokens or identifiers.
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, path: String(req.url).split('?')[0] }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  http.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
      },
    }),
  );
  http.enableCors({ origin: config.corsOrigins.length ? config.corsOrigins : false, credentials: false });

  const json = express.json({ limit: config.upload.maxJsonBytes });
  const overlapJson = overlapBodyParser(config.matching.overlapMaxBytes, config.matching.overlapMaxIdentifiers);
  const raw = express.raw({ type: '*/*', limit: '1mb' });
  http.use((req: Request, res: Response, next: NextFunction) => {
    if (RAW_BODY.test(req.path)) return raw(req, res, next);
    if (req.method === 'POST' && OVERLAP_BODY.test(req.path)) return overlapJson(req, res, next);
    if (STREAMED_BODY.test(req.path)) return next();
    return json(req, res, next);
  });

  app.useGlobalPipes(globalValidationPipe());

  const document = buildOpenApi(app);
  http.use('/docs-json', (_req: Request, res: Response) => res.json(document));
  http.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Audex API' }));
  app.enableShutdownHooks();
}
