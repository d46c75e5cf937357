import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { type AppConfig, InjectConfig } from '../config/config';
import { AppError } from './app-error';

export const LOGIN_PATH = '/v1/auth/login';

/**
 * Two fixed-window limiters (rate-limiter-flexible): every request per client address, and login attempts per
 * address and account, so guessing one account's password is capped even from many addresses' worth of tries.
 * The store is in memory, per instance; behind a load balancer swap in its Redis store.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly general: RateLimiterMemory;
  private readonly login: RateLimiterMemory;

  constructor(@InjectConfig() config: AppConfig) {
    this.general = new RateLimiterMemory({ points: config.rateLimit.perMinute, duration: 60 });
    this.login = new RateLimiterMemory({ points: config.rateLimit.loginPerMinute, duration: 60 });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest();
    const res = context.switchToHttp().getResponse();
    const ip: string = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
    await this.consume(this.general, ip, res);
    if (req.path === LOGIN_PATH) {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
      // Hashed, so the limiter's memory never holds an email in the clear.
      await this.consume(this.login, createHash('sha256').update(`${ip}|${email}`).digest('hex'), res);
    }
    return true;
  }

  private async consume(limiter: RateLimiterMemory, key: string, res: any): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(e.msBeforeNext / 1000))));
      throw new AppError(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', 'Too many requests; retry later');
    }
  }
}
