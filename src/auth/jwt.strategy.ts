import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type AuthContext } from '../common/auth.decorators';
import { type AppConfig, InjectConfig } from '../config/config';
import { UsersRepository } from '../users/users.repository';
import type { AccessTokenClaims } from './auth.service';

/** Bearer access tokens: HS256 only, with our issuer and audience; the user must still be active. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@InjectConfig() config: AppConfig, private readonly users: UsersRepository) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.accessSecret,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<AuthContext | false> {
    const user = await this.users.findById(claims.sub);
    if (!user || user.status !== 'active') return false;
    return { userId: String(user._id), orgId: String(user.orgId), role: user.role, via: 'jwt' };
  }
}
