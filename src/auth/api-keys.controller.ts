import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto, CurrentApiKeyDto } from './dto/auth.dto';

@ApiTags('API keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Authenticated({ roles: ['publisher'] })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(@Auth() auth: AuthContext, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.keys.create(auth, body);
  }

  @Get()
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: ApiKeyListDto })
  list(@Auth() auth: AuthContext): Promise<ApiKeyListDto> {
    return this.keys.list(auth);
  }

  @Get('current')
  @Authenticated({ apiKeyOnly: true, apiKeyScopes: ['ingest', 'consent'] })
  @ApiOkResponse({ type: CurrentApiKeyDto, description: 'The key making this call: lets a machine check its key' })
  current(@Auth() auth: AuthContext): Promise<CurrentApiKeyDto> {
    return this.keys.current(auth);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ roles: ['publisher'] })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  revoke(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<void> {
    return this.keys.revoke(auth, id);
  }
}
