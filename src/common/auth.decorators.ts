import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

export type Role = 'publisher' | 'advertiser' | 'admin';
export type ApiKeyScope = 'ingest' | 'consent';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['ingest', 'consent'];

/** Who is calling: a signed-in user, or a publisher's machine holding an API key. */
export interface AuthContext {
  userId: string;
  orgId: string;
  role: Role;
  via: 'jwt' | 'apiKey';
  scopes?: ApiKeyScope[];
  apiKeyId?: string;
}

export interface AuthRequirement {
  /** Roles that may call with a bearer token; empty means any signed-in user. */
  roles?: Role[];
  /** When set, a publisher API key holding one of these scopes may call as well. */
  apiKeyScopes?: ApiKeyScope[];
  /** When true, only an API key may call (no bearer token). */
  apiKeyOnly?: boolean;
  /**
   * When true, a request carrying `?token=` and no Authorization header passes the guard without an
   * AuthContext: the handler must verify the signed token itself (download links).
   */
  signedLink?: boolean;
}

export const AUTH_REQUIREMENT = 'audex:auth';
export const IS_PUBLIC = 'audex:public';

/** Declares who may call a route; sets the guard's metadata and the OpenAPI security together. */
export function Authenticated(req: AuthRequirement = {}) {
  const decorators = [
    SetMetadata(AUTH_REQUIREMENT, req),
    ApiUnauthorizedResponse({ description: 'Missing or invalid credentials', type: ErrorBodyDto }),
  ];
  if (!req.apiKeyOnly) decorators.push(ApiBearerAuth('bearer'));
  if (req.apiKeyScopes?.length || req.apiKeyOnly) decorators.push(ApiSecurity('apiKey'));
  if (req.roles?.length || req.apiKeyScopes?.length) {
    decorators.push(ApiForbiddenResponse({ description: 'Wrong role or scope', type: ErrorBodyDto }));
  }
  return applyDecorators(...decorators);
}

/** Declares a route open to anyone. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The caller's AuthContext, set by the global authentication guard. */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  return ctx.switchToHttp().getRequest().auth;
});
