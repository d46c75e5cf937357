import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from './app-error';
import { rootLogger } from './logger';

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
};

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}

/** One error shape for every failure; unknown errors are logged with the request id and answered as a bare 500. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      const err = exception as Error;
      rootLogger().error(
        { reqId: req?.id, err: { type: err?.name, message: err?.message, stack: err?.stack } },
        'unhandled error',
      );
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(body.statusCode).json(body);
  }
}

export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof AppError) {
    const { statusCode, code, message, details } = exception.getResponse() as ErrorBody;
    return details === undefined ? { statusCode, code, message } : { statusCode, code, message, details };
  }
  // Nest wraps body-parser errors in an HttpException; the parser's own type says what went wrong.
  if (exception instanceof HttpException && (exception.cause as any)?.type) return fromParserError(exception.cause);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const resp = exception.getResponse();
    const message =
      typeof resp === 'string' ? resp : Array.isArray((resp as any)?.message) ? 'Request failed' : ((resp as any)?.message ?? exception.message);
    return { statusCode: status, code: STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'ERROR'), message: String(message) };
  }
  const e = exception as any;
  if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) return fromParserError(e);
  if (e?.code === 11000) {
    return { statusCode: 409, code: 'DUPLICATE', message: 'A resource with the same unique key already exists' };
  }
  if (e?.name === 'StrictModeError' || e?.name === 'CastError' || e?.name === 'ValidationError') {
    return { statusCode: 400, code: 'VALIDATION_FAILED', message: 'Invalid value' };
  }
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL', message: 'Internal server error' };
}

/** body-parser / raw-body errors carry a status and a type. */
function fromParserError(e: any): ErrorBody {
  if (e.type === 'entity.too.large') {
    return { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' };
  }
  if (e.type === 'entity.parse.failed') {
    return { statusCode: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' };
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported content encoding' };
  }
  const status = typeof e.status === 'number' ? e.status : 400;
  return { statusCode: status, code: STATUS_CODES[status] ?? 'BAD_REQUEST', message: 'Bad request' };
}
