import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { type AuthContext } from '../common/auth.decorators';
import { ApiKey } from './api-key.schema';
import { ApiKeysRepository } from './auth.repository';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto, CurrentApiKeyDto } from './dto/auth.dto';
import { newApiKey, parseApiKey, safeEqualHex, sha256Hex } from './tokens';
import { UserAuthCache } from './user-auth.cache';

function toApiKeyDto(k: ApiKey): ApiKeyDto {
  return {
    id: String(k._id),
    name: k.name,
    prefix: `adx_${k.prefix}`,
    scopes: k.scopes,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt ? k.lastUsedAt.toISOString() : null,
    revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
  };
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly users: UserAuthCache,
    private readonly audit: AuditService,
  ) {}

  async create(auth: AuthContext, input: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { key, prefix } = newApiKey();
    const row = await this.keys.insert({
      orgId: new Types.ObjectId(auth.orgId),
      createdBy: new Types.ObjectId(auth.userId),
      name: input.name,
      prefix,
      hash: sha256Hex(key),
      scopes: input.scopes,
    });
    await this.audit.record(auth, { action: 'api_key.create', targetType: 'api_key', targetId: String(row._id), orgId: auth.orgId });
    return { ...toApiKeyDto(row), key };
  }

  async list(auth: AuthContext): Promise<ApiKeyListDto> {
    return { items: (await this.keys.listForOrg(auth.orgId)).map(toApiKeyDto) };
  }

  async current(auth: AuthContext): Promise<CurrentApiKeyDto> {
    const row = await this.keys.findInOrg(auth.orgId, auth.apiKeyId!);
    if (!row) throw AppError.unauthorized('INVALID_API_KEY', 'API key is invalid or revoked');
    return { ...toApiKeyDto(row), organizationId: auth.orgId };
  }

  async revoke(auth: AuthContext, id: string): Promise<void> {
    const row = await this.keys.revoke(auth.orgId, id, new Date());
    if (!row) {
      if (await this.keys.findInOrg(auth.orgId, id)) return; // already revoked: idempotent
      throw AppError.notFound('API key');
    }
    await this.audit.record(auth, { action: 'api_key.revoke', targetType: 'api_key', targetId: id, orgId: auth.orgId });
  }

  /** The caller behind an X-Api-Key header, or null. A key stops working when its creator is suspended. */
  async authenticate(key: string): Promise<AuthContext | null> {
    const parsed = parseApiKey(key);
    if (!parsed) return null;
    const row = await this.keys.findByPrefix(parsed.prefix);
    if (!row || row.revokedAt || !safeEqualHex(row.hash, sha256Hex(key))) return null;
    const owner = await this.users.get(String(row.createdBy));
    if (!owner || owner.status !== 'active') return null;
    await this.keys.touch(row._id, new Date());
    return {
      userId: String(row.createdBy),
      orgId: String(row.orgId),
      role: 'publisher',
      via: 'apiKey',
      scopes: row.scopes,
      apiKeyId: String(row._id),
    };
  }
}
