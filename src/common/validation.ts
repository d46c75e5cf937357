import { type ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from './app-error';

function flatten(errors: ValidationError[], prefix = ''): { field: string; errors: string[] }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, errors: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Rejects unknown fields and answers every validation failure with VALIDATION_FAILED and per-field details. */
export function globalValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Values echoed in messages could be personal data (an email); report field and rule only.
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => AppError.badRequest('VALIDATION_FAILED', 'The request is not valid', flatten(errors)),
  });
}
