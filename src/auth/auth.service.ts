import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { type AuthContext } from '../common/auth.decorators';
import { type AppConfig, InjectConfig } from '../config/config';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { User } from '../users/user.schema';
import { UsersRepository } from '../users/users.repository';
import { toUserDto } from '../users/users.service';
import { RefreshTokensRepository } from './auth.repository';
import { LoginDto, RegisterDto, SessionDto, TokenPairDto, UserDto } from './dto/auth.dto';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords';
import { newRefreshToken, sha256Hex } from './tokens';

export interface AccessTokenClaims {
  sub: string;
  org: string;
  role: AuthContext['role'];
}

const INVALID_LOGIN = () => AppError.unauthorized('INVALID_CREDENTIALS', 'Email or password is incorrect');
const INVALID_REFRESH = () => AppError.unauthorized('INVALID_REFRESH_TOKEN', 'Refresh token is invalid or expired');

@Injectable()
export class AuthService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly users: UsersRepository,
    private readonly orgs: OrganizationsRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly audit: AuditService,
  ) {}

  async register(input: RegisterDto): Promise<SessionDto> {
    if (await this.users.findByEmail(input.email)) {
      throw AppError.conflict('EMAIL_TAKEN', 'An account with this email already exists');
    }
    const passwordHash = await hashPassword(input.password);
    const org = await this.orgs.create(input.organizationName.trim(), input.role);
    let user: User;
    try {
      user = await this.users.create({ orgId: org._id, email: input.email, passwordHash, role: input.role });
    } catch (e: any) {
      if (e?.code === 11000) throw AppError.conflict('EMAIL_TAKEN', 'An account with this email already exists');
      throw e;
    }
    await this.audit.record({ userId: String(user._id), role: user.role }, {
      action: 'user.register',
      targetType: 'user',
      targetId: String(user._id),
      orgId: String(org._id),
    });
    return { user: toUserDto(user), ...(await this.issuePair(user, randomUUID())) };
  }

  async login(input: LoginDto): Promise<SessionDto> {
    const user = await this.users.findByEmail(input.email);
    // Same work and the same answer for an unknown email as for a wrong password.
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
    if (!user || !ok) throw INVALID_LOGIN();
    if (user.status !== 'active') throw INVALID_LOGIN();
    return { user: toUserDto(user), ...(await this.issuePair(user, randomUUID())) };
  }

  async refresh(token: string): Promise<TokenPairDto> {
    const hash = sha256Hex(token);
    const now = new Date();
    const result = await this.refreshTokens.consume(hash, now);
    if (!result) throw INVALID_REFRESH();
    if ('reused' in result) {
      // A used token came back: it was stolen or replayed. Kill the whole family, the newest token too.
      const known = result.reused;
      const revoked = await this.refreshTokens.revokeFamily(known.familyId, now);
      await this.audit.record(null, {
        action: 'auth.refresh_reuse',
        targetType: 'user',
        targetId: String(known.userId),
        details: { familyId: known.familyId, revoked },
      });
      throw INVALID_REFRESH();
    }
    const row = result.token;
    const user = await this.users.findById(row.userId);
    if (!user || user.status !== 'active') throw INVALID_REFRESH();
    return this.issuePair(user, row.familyId);
  }

  async logout(auth: AuthContext, token: string): Promise<void> {
    const row = await this.refreshTokens.findByHash(sha256Hex(token));
    if (!row || String(row.userId) !== auth.userId) return; // nothing of the caller's to end; 204 all the same
    await this.refreshTokens.revokeFamily(row.familyId, new Date());
  }

  async me(auth: AuthContext): Promise<UserDto> {
    const user = await this.users.findById(auth.userId);
    if (!user) throw AppError.unauthorized();
    return toUserDto(user);
  }

  async sweepExpiredRefreshTokens(now = new Date()): Promise<number> {
    return this.refreshTokens.deleteExpired(now);
  }

  private async issuePair(user: User, familyId: string): Promise<TokenPairDto> {
    const claims: AccessTokenClaims = { sub: String(user._id), org: String(user.orgId), role: user.role };
    const accessToken = await this.jwt.signAsync(claims);
    const refreshToken = newRefreshToken();
    await this.refreshTokens.insert({
      userId: user._id as Types.ObjectId,
      familyId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(Date.now() + this.config.jwt.refreshTtlSeconds * 1000),
    });
    return { accessToken, refreshToken, expiresIn: this.config.jwt.accessTtlSeconds, tokenType: 'Bearer' };
  }
}
