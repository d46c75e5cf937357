import { Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type AuthContext } from '../common/auth.decorators';
import { type AppConfig, InjectConfig } from '../config/config';
import type { AccessTokenClaims } from './auth.service';
import { UserAuthCache } from './user-auth.cache';

/** Bearer access tokens: HS256 only, with our issuer and audience; the user must still be active. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@InjectConfig() config: AppConfig, private readonly users: UserAuthCache) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a PEM public key on
      // every verification, and that failed parse cost more CPU than the rest of the request. passport-jwt hands
      // the key to jsonwebtoken.verify untouched, which accepts a KeyObject; its type declarations predate that.
      secretOrKey: createSecretKey(Buffer.from(config.jwt.accessSecret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<AuthContext | false> {
    const user = await this.users.get(claims.sub);
    if (!user || user.status !== 'active') return false;
    return { userId: claims.sub, orgId: user.orgId, role: user.role, via: 'jwt' };
  }
}
