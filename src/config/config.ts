import { Inject } from '@nestjs/common';
import { createHmac } from 'node:crypto';

/** Everything Audex reads from the environment, parsed and checked once at start. */
export interface AppConfig {
  env: 'development' | 'test' | 'production';
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  mongodbUri?: string;
  dataDir: string;
  jwt: { accessSecret: string; accessTtlSeconds: number; refreshTtlSeconds: number; issuer: string; audience: string };
  /**
   * How long an instance may reuse a user's auth state (status, role, organization) read from the database;
   * 0 reads it on every request. Changes made on this instance invalidate it at once (see UserAuthCache).
   */
  auth: { userCacheTtlMs: number };
  admin: { email: string; password: string };
  corsOrigins: string[];
  rateLimit: { perMinute: number; loginPerMinute: number };
  upload: { maxBytes: number; maxJsonBytes: number; batchSize: number; requestTimeoutMs: number };
  privacy: {
    defaultPhoneCountry: string;
    vendorId: number;
    minSegmentSize: number;
    deniedTraitTerms: string[];
    overlapEpsilon: number;
    overlapBudget: number;
    /** Laplace scale for public listing sizes (SIZE_NOISE_SCALE), and the key seeding its draws. */
    sizeNoiseScale: number;
    sizeNoiseSecret: string;
  };
  stripe: {
    secretKey: string;
    webhookSecret: string;
    apiHost?: string;
    apiPort?: number;
    apiProtocol?: 'http' | 'https';
    platformFeeBps: number;
    successUrl: string;
    cancelUrl: string;
    connectRefreshUrl: string;
    connectReturnUrl: string;
  };
  /**
   * Approved listings held in memory per instance for browsing (snapshotMax 0 = always query the database), and
   * how long the snapshot is trusted before the marketplace token is read again (0 = on every search).
   */
  marketplace: { snapshotMax: number; snapshotCheckMs: number };
  /** Overlap submissions: most identifiers per request, and the JSON body limit of that one route. */
  matching: { overlapMaxIdentifiers: number; overlapMaxBytes: number };
  delivery: { linkSecret: string; linkTtlSeconds: number; webhookMaxAttempts: number; allowInsecureWebhooks: boolean };
  publicBaseUrl: string;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
export const InjectConfig = () => Inject(APP_CONFIG);

export class ConfigError extends Error {}

const DEV_JWT_SECRET = 'dev-only-access-secret-change-me-0123456789';
const DEV_LINK_SECRET = 'dev-only-download-link-secret-change-me-0123';
const DEV_ADMIN_PASSWORD = 'dev-admin-password-change-me';
const DEV_WEBHOOK_SECRET = 'whsec_dev_only_change_me';

/** GDPR Art. 9 special categories, matched against trait names and taxonomy node names. */
export const DEFAULT_DENIED_TRAIT_TERMS = [
  'health', 'medical', 'disease', 'illness', 'diagnos', 'pregnan', 'disabilit', 'religio', 'faith', 'ethnic',
  'race', 'racial', 'sexual', 'sex_orient', 'lgbt', 'gay', 'politic', 'party_affil', 'union', 'biometric',
  'genetic', 'dna', 'criminal',
];

type Env = Record<string, string | undefined>;

class Reader {
  constructor(private readonly env: Env) {}

  str(name: string, fallback?: string): string {
    const v = this.env[name];
    if (v === undefined || v === '') {
      if (fallback === undefined) throw new ConfigError(`${name} is required`);
      return fallback;
    }
    return v;
  }

  optional(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === '' ? undefined : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  }

  num(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new ConfigError(`${name} must be a number between ${min} and ${max}, got "${raw}"`);
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    throw new ConfigError(`${name} must be true or false, got "${raw}"`);
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!values.includes(raw as T)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  }

  list(name: string, fallback: string[]): string[] {
    const raw = this.env[name];
    if (raw === undefined) return fallback;
    return raw.split(',').map((s) => s.trim()).filter(Boolean);
  }

  url(name: string, fallback: string): string {
    const v = this.str(name, fallback);
    try {
      new URL(v);
    } catch {
      throw new ConfigError(`${name} must be an absolute URL, got "${v}"`);
    }
    return v;
  }
}

export function loadConfig(env: Env = process.env): AppConfig {
  const r = new Reader(env);
  const nodeEnv = r.oneOf('NODE_ENV', ['development', 'test', 'production'] as const, 'development');
  const prod = nodeEnv === 'production';
  const port = r.int('PORT', 3000, 0, 65535);
  const publicBaseUrl = r.url('PUBLIC_BASE_URL', `http://localhost:${port}`);
  const mongodbUri = r.optional('MONGODB_URI');
  if (mongodbUri && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) {
    throw new ConfigError('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  }

  const cfg: AppConfig = {
    env: nodeEnv,
    port,
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      nodeEnv === 'test' ? 'silent' : 'info'),
    mongodbUri,
    dataDir: r.str('AUDEX_DATA_DIR', '.data'),
    jwt: {
      accessSecret: r.str('JWT_ACCESS_SECRET', prod ? undefined : DEV_JWT_SECRET),
      accessTtlSeconds: r.int('JWT_ACCESS_TTL_SECONDS', 900, 30, 900),
      refreshTtlSeconds: r.int('JWT_REFRESH_TTL_SECONDS', 30 * 24 * 3600, 300, 90 * 24 * 3600),
      issuer: r.str('JWT_ISSUER', 'audex'),
      audience: r.str('JWT_AUDIENCE', 'audex-api'),
    },
    // Bounded at one minute: it is how late another instance may notice a suspension.
    auth: { userCacheTtlMs: r.int('AUTH_USER_CACHE_TTL_MS', 5000, 0, 60_000) },
    admin: {
      email: r.str('ADMIN_EMAIL', prod ? undefined : 'admin@audex.local').trim().toLowerCase(),
      password: r.str('ADMIN_PASSWORD', prod ? undefined : DEV_ADMIN_PASSWORD),
    },
    corsOrigins: r.list('CORS_ORIGINS', []),
    rateLimit: {
      perMinute: r.int('RATE_LIMIT_PER_MINUTE', 1200, 1, 10_000_000),
      loginPerMinute: r.int('LOGIN_RATE_LIMIT_PER_MINUTE', 5, 1, 10_000),
    },
    upload: {
      maxBytes: r.int('UPLOAD_MAX_BYTES', 1024 * 1024 * 1024, 1024, 64 * 1024 * 1024 * 1024),
      maxJsonBytes: r.int('JSON_BODY_MAX_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
      batchSize: r.int('INGEST_BATCH_SIZE', 1000, 1, 10_000),
      // Node's default (300 s for a whole request) cuts off any upload longer than five minutes.
      requestTimeoutMs: r.int('UPLOAD_TIMEOUT_SECONDS', 3600, 10, 86_400) * 1000,
    },
    privacy: {
      defaultPhoneCountry: r.str('DEFAULT_PHONE_COUNTRY', 'FR').toUpperCase(),
      vendorId: r.int('TCF_VENDOR_ID', 1, 1, 65535),
      minSegmentSize: r.int('MIN_SEGMENT_SIZE', 100, 1, 1_000_000),
      deniedTraitTerms: r.list('DENIED_TRAIT_TERMS', DEFAULT_DENIED_TRAIT_TERMS).map((t) => t.toLowerCase()),
      // Above ~10 the noise no longer protects anyone; the range reaches 100 only so tests can make it negligible.
      overlapEpsilon: r.num('OVERLAP_EPSILON', 0.5, 0.01, 100),
      overlapBudget: r.num('OVERLAP_EPSILON_BUDGET', 3, 0.01, 1000),
      sizeNoiseScale: r.num('SIZE_NOISE_SCALE', 10, 0, 100_000),
      // Defaults to a key derived from the JWT secret, so production needs no extra variable; set it to rotate alone.
      sizeNoiseSecret:
        r.optional('SIZE_NOISE_SECRET') ??
        createHmac('sha256', r.str('JWT_ACCESS_SECRET', prod ? undefined : DEV_JWT_SECRET)).update('audex:size-noise').digest('hex'),
    },
    stripe: {
      secretKey: r.str('STRIPE_SECRET_KEY', prod ? undefined : 'sk_test_audexlocaldevonly'),
      webhookSecret: r.str('STRIPE_WEBHOOK_SECRET', prod ? undefined : DEV_WEBHOOK_SECRET),
      apiHost: r.optional('STRIPE_API_HOST'),
      apiPort: r.optional('STRIPE_API_PORT') ? r.int('STRIPE_API_PORT', 0, 1, 65535) : undefined,
      apiProtocol: r.optional('STRIPE_API_PROTOCOL')
        ? r.oneOf('STRIPE_API_PROTOCOL', ['http', 'https'] as const, 'https')
        : undefined,
      platformFeeBps: r.int('PLATFORM_FEE_BPS', 2000, 0, 10_000),
      successUrl: r.url('CHECKOUT_SUCCESS_URL', `${publicBaseUrl}/checkout/success`),
      cancelUrl: r.url('CHECKOUT_CANCEL_URL', `${publicBaseUrl}/checkout/cancel`),
      connectRefreshUrl: r.url('CONNECT_REFRESH_URL', `${publicBaseUrl}/payouts/refresh`),
      connectReturnUrl: r.url('CONNECT_RETURN_URL', `${publicBaseUrl}/payouts/return`),
    },
    marketplace: {
      snapshotMax: r.int('MARKETPLACE_SNAPSHOT_MAX', 100_000, 0, 5_000_000),
      // Bounded at one minute: it is how late another instance's moderation decision may show here.
      snapshotCheckMs: r.int('MARKETPLACE_SNAPSHOT_CHECK_MS', 1000, 0, 60_000),
    },
    matching: {
      overlapMaxIdentifiers: r.int('OVERLAP_MAX_IDENTIFIERS', 1_000_000, 1, 20_000_000),
      // 1M identifiers are ~67 MB as a JSON array of 64-char strings.
      overlapMaxBytes: r.int('OVERLAP_MAX_BYTES', 80 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024),
    },
    delivery: {
      linkSecret: r.str('DOWNLOAD_LINK_SECRET', prod ? undefined : DEV_LINK_SECRET),
      linkTtlSeconds: r.int('DOWNLOAD_LINK_TTL_SECONDS', 3600, 30, 7 * 24 * 3600),
      webhookMaxAttempts: r.int('DELIVERY_WEBHOOK_MAX_ATTEMPTS', 5, 1, 20),
      allowInsecureWebhooks: r.bool('DELIVERY_ALLOW_INSECURE_WEBHOOKS', false),
    },
    publicBaseUrl,
  };

  if (cfg.jwt.accessSecret.length < 32) throw new ConfigError('JWT_ACCESS_SECRET must be at least 32 characters');
  if (cfg.delivery.linkSecret.length < 32) throw new ConfigError('DOWNLOAD_LINK_SECRET must be at least 32 characters');
  if (cfg.admin.password.length < 12) throw new ConfigError('ADMIN_PASSWORD must be at least 12 characters');
  if (!/^[^@\s]+@[^@\s]+$/.test(cfg.admin.email)) throw new ConfigError('ADMIN_EMAIL must be an email address');
  if (!/^[A-Z]{2}$/.test(cfg.privacy.defaultPhoneCountry)) {
    throw new ConfigError('DEFAULT_PHONE_COUNTRY must be an ISO 3166-1 alpha-2 code');
  }
  if (prod) {
    const defaults: [string, string, string][] = [
      ['JWT_ACCESS_SECRET', cfg.jwt.accessSecret, DEV_JWT_SECRET],
      ['DOWNLOAD_LINK_SECRET', cfg.delivery.linkSecret, DEV_LINK_SECRET],
      ['ADMIN_PASSWORD', cfg.admin.password, DEV_ADMIN_PASSWORD],
      ['STRIPE_WEBHOOK_SECRET', cfg.stripe.webhookSecret, DEV_WEBHOOK_SECRET],
    ];
    for (const [name, value, dev] of defaults) {
      if (value === dev) throw new ConfigError(`${name} must not use the development default in production`);
    }
    if (cfg.delivery.allowInsecureWebhooks) {
      throw new ConfigError('DELIVERY_ALLOW_INSECURE_WEBHOOKS must be false in production');
    }
  }
  return cfg;
}
