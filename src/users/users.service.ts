import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { hashPassword } from '../auth/passwords';
import { RefreshTokensRepository } from '../auth/auth.repository';
import { UserAuthCache } from '../auth/user-auth.cache';
import { AppError } from '../common/app-error';
import { type AuthContext } from '../common/auth.decorators';
import { rootLogger } from '../common/logger';
import { type AppConfig, InjectConfig } from '../config/config';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import type { UserDto } from '../auth/dto/auth.dto';
import { User } from './user.schema';
import { UsersRepository } from './users.repository';

export function toUserDto(u: User): UserDto {
  return { id: String(u._id), email: u.email, role: u.role, organizationId: String(u.orgId), status: u.status };
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly orgs: OrganizationsRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly audit: AuditService,
    private readonly authStates: UserAuthCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdmin();
  }

  /** Creates the admin from ADMIN_EMAIL/ADMIN_PASSWORD when absent; a no-op afterwards. */
  async ensureAdmin(): Promise<void> {
    const { email, password } = this.config.admin;
    if (await this.users.findByEmail(email)) return;
    const platform = (await this.orgs.findPlatform()) ?? (await this.orgs.create('Audex platform', 'platform'));
    try {
      const admin = await this.users.create({ orgId: platform._id, email, passwordHash: await hashPassword(password), role: 'admin' });
      await this.audit.record(null, { action: 'admin.bootstrap', targetType: 'user', targetId: String(admin._id) });
      rootLogger().info({ userId: String(admin._id) }, 'admin account created');
    } catch (e: any) {
      if (e?.code !== 11000) throw e; // another instance created it first
    }
  }

  async suspend(actor: AuthContext, id: string, reason?: string): Promise<UserDto> {
    if (id === actor.userId) throw AppError.conflict('CANNOT_SUSPEND_SELF', 'An admin cannot suspend itself');
    // Whatever the outcome, this instance's next request for the user reads its state afresh: the suspension
    // applies at once here (other instances: within AUTH_USER_CACHE_TTL_MS). On a 409 another instance may have
    // made the change, and a stale cached state must go all the same.
    const user = await this.users.transitionStatus(id, 'active', 'suspended').finally(() => this.authStates.invalidate(id));
    if (!user) throw await this.transitionError(id, 'USER_NOT_ACTIVE', 'User is not active');
    await this.refreshTokens.revokeAllForUser(user._id, new Date());
    await this.audit.record(actor, { action: 'user.suspend', targetType: 'user', targetId: id, orgId: String(user.orgId), reason });
    return toUserDto(user);
  }

  async reinstate(actor: AuthContext, id: string): Promise<UserDto> {
    const user = await this.users.transitionStatus(id, 'suspended', 'active').finally(() => this.authStates.invalidate(id));
    if (!user) throw await this.transitionError(id, 'USER_NOT_SUSPENDED', 'User is not suspended');
    await this.audit.record(actor, { action: 'user.reinstate', targetType: 'user', targetId: id, orgId: String(user.orgId) });
    return toUserDto(user);
  }

  private async transitionError(id: string, code: string, message: string): Promise<AppError> {
    return (await this.users.findById(id)) ? AppError.conflict(code, message) : AppError.notFound('User');
  }
}
