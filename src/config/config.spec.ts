import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives working development defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.env).toBe('development');
    expect(c.jwt.accessTtlSeconds).toBeLessThanOrEqual(900);
    expect(c.mongodbUri).toBeUndefined();
    expect(c.privacy.minSegmentSize).toBe(100);
    expect(c.stripe.platformFeeBps).toBe(2000);
    expect(c.auth.userCacheTtlMs).toBe(5000);
    expect(c.marketplace.snapshotCheckMs).toBe(1000);
    expect(loadConfig({ AUTH_USER_CACHE_TTL_MS: '0', MARKETPLACE_SNAPSHOT_CHECK_MS: '0' })).toMatchObject({
      auth: { userCacheTtlMs: 0 },
      marketplace: { snapshotCheckMs: 0 },
    });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ JWT_ACCESS_TTL_SECONDS: '3600' }, /JWT_ACCESS_TTL_SECONDS must be between 30 and 900/],
    [{ MONGODB_URI: 'postgres://x' }, /MONGODB_URI must start with mongodb/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be one of/],
    [{ JWT_ACCESS_SECRET: 'short' }, /JWT_ACCESS_SECRET must be at least 32/],
    [{ PUBLIC_BASE_URL: 'not a url' }, /PUBLIC_BASE_URL must be an absolute URL/],
    [{ DELIVERY_ALLOW_INSECURE_WEBHOOKS: 'maybe' }, /DELIVERY_ALLOW_INSECURE_WEBHOOKS must be true or false/],
    [{ OVERLAP_EPSILON: '-1' }, /OVERLAP_EPSILON must be a number/],
    [{ DEFAULT_PHONE_COUNTRY: 'FRA' }, /DEFAULT_PHONE_COUNTRY/],
    [{ AUTH_USER_CACHE_TTL_MS: '120000' }, /AUTH_USER_CACHE_TTL_MS must be between 0 and 60000/],
    [{ AUTH_USER_CACHE_TTL_MS: '-1' }, /AUTH_USER_CACHE_TTL_MS must be between 0 and 60000/],
    [{ MARKETPLACE_SNAPSHOT_CHECK_MS: '5s' }, /MARKETPLACE_SNAPSHOT_CHECK_MS must be an integer/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env as Record<string, string>)).toThrow(message);
    expect(() => loadConfig(env as Record<string, string>)).toThrow(ConfigError);
  });

  it('production requires secrets and refuses the development defaults', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_ACCESS_SECRET is required/);
    const good = {
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: 'x'.repeat(40),
      DOWNLOAD_LINK_SECRET: 'y'.repeat(40),
      ADMIN_EMAIL: 'ops@example.com',
      ADMIN_PASSWORD: 'a-long-admin-password',
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      MONGODB_URI: 'mongodb://db:27017/audex',
    };
    expect(loadConfig(good).env).toBe('production');
    expect(() => loadConfig({ ...good, JWT_ACCESS_SECRET: 'dev-only-access-secret-change-me-0123456789' })).toThrow(
      /JWT_ACCESS_SECRET must not use the development default/,
    );
    expect(() => loadConfig({ ...good, DELIVERY_ALLOW_INSECURE_WEBHOOKS: 'true' })).toThrow(/must be false in production/);
  });

  it('parses lists and lower-cases the deny-list', () => {
    const c = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example', DENIED_TRAIT_TERMS: 'Health,RELIGION' });
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.privacy.deniedTraitTerms).toEqual(['health', 'religion']);
  });
});
