import { Injectable } from '@nestjs/common';
import type { Role } from '../common/auth.decorators';
import { TtlCache } from '../common/ttl-cache';
import { type AppConfig, InjectConfig } from '../config/config';
import type { User } from '../users/user.schema';
import { UsersRepository } from '../users/users.repository';

/** What authentication needs to know about a user, read on each request. */
export interface UserAuthState {
  status: User['status'];
  role: Role;
  orgId: string;
}

/** Far more than the users active within one TTL on one instance; bounds memory, not correctness. */
const MAX_ENTRIES = 10_000;

/**
 * Every bearer and API-key request checks that its user is still active. Reading the user from the database each
 * time made authentication the most expensive part of most requests, so each instance keeps the answer for
 * AUTH_USER_CACHE_TTL_MS (0 = read every time).
 *
 * Staleness: whatever changes a user's status, role or organization calls invalidate() once the change is
 * written, so on the instance that made the change it applies to the very next request. Another instance may keep
 * the old state for up to the TTL (see docs/threat-model.md).
 */
@Injectable()
export class UserAuthCache {
  private readonly cache: TtlCache<string, UserAuthState | null>;

  constructor(@InjectConfig() config: AppConfig, private readonly users: UsersRepository) {
    this.cache = new TtlCache({ ttlMs: config.auth.userCacheTtlMs, maxEntries: MAX_ENTRIES });
  }

  /** The user's auth state; null when there is no such user (never cached). */
  get(userId: string): Promise<UserAuthState | null> {
    return this.cache.get(userId, async () => {
      const user = await this.users.findById(userId);
      return user ? { status: user.status, role: user.role, orgId: String(user.orgId) } : null;
    });
  }

  /** Call after writing any change to a user's status, role or organization. */
  invalidate(userId: string): void {
    this.cache.invalidate(String(userId));
  }
}
