import { HttpException, HttpStatus } from '@nestjs/common';

/** A domain error: an HTTP status, a stable machine-readable code and a human message. */
export class AppError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super({ statusCode: status, code, message, details }, status);
  }

  static badRequest(code: string, message: string, details?: unknown) {
    return new AppError(HttpStatus.BAD_REQUEST, code, message, details);
  }
  static unauthorized(code = 'UNAUTHORIZED', message = 'Missing or invalid credentials') {
    return new AppError(HttpStatus.UNAUTHORIZED, code, message);
  }
  static forbidden(code = 'FORBIDDEN', message = 'Not allowed for this role') {
    return new AppError(HttpStatus.FORBIDDEN, code, message);
  }
  static notFound(what = 'Resource', code = 'NOT_FOUND') {
    return new AppError(HttpStatus.NOT_FOUND, code, `${what} not found`);
  }
  static conflict(code: string, message: string, details?: unknown) {
    return new AppError(HttpStatus.CONFLICT, code, message, details);
  }
}
