import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '../common/app-error';
import { AUTH_REQUIREMENT, type AuthContext, type AuthRequirement, IS_PUBLIC } from '../common/auth.decorators';
import { ApiKeysService } from './api-keys.service';

/**
 * The one global guard. A route must say @Public() or @Authenticated({...}); anything else is refused.
 * Bearer tokens go through passport-jwt; X-Api-Key is accepted only where the route names key scopes.
 */
@Injectable()
export class AuthenticationGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector, private readonly apiKeys: ApiKeysService) {
    super();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = this.reflector.getAllAndOverride<AuthRequirement | undefined>(AUTH_REQUIREMENT, targets);
    if (!req) throw AppError.unauthorized();
    const request = context.switchToHttp().getRequest();
    if (req.signedLink && typeof request.query?.token === 'string' && !request.headers.authorization) return true;

    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey.length > 0 && !request.headers.authorization) {
      if (!req.apiKeyScopes?.length) throw AppError.unauthorized('API_KEY_NOT_ACCEPTED', 'This route does not accept API keys');
      const auth = await this.apiKeys.authenticate(apiKey);
      if (!auth) throw AppError.unauthorized('INVALID_API_KEY', 'API key is invalid or revoked');
      if (!auth.scopes!.some((s) => req.apiKeyScopes!.includes(s))) {
        throw AppError.forbidden('API_KEY_SCOPE', `This route needs an API key with scope ${req.apiKeyScopes.join(' or ')}`);
      }
      request.auth = auth;
      return true;
    }
    if (req.apiKeyOnly) throw AppError.unauthorized('API_KEY_REQUIRED', 'This route needs an X-Api-Key header');

    await (super.canActivate(context) as Promise<boolean>);
    const auth = request.user as AuthContext;
    if (req.roles?.length && !req.roles.includes(auth.role)) throw AppError.forbidden();
    request.auth = auth;
    return true;
  }

  handleRequest<T>(err: unknown, user: T): T {
    if (err || !user) throw AppError.unauthorized();
    return user;
  }
}
