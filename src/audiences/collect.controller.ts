import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { CollectDto, CollectResultDto } from './dto/ingest.dto';
import { IngestService } from './ingest/ingest.service';

@ApiTags('Audiences')
@Controller('v1/collect')
export class CollectController {
  constructor(private readonly ingest: IngestService) {}

  @Post()
  @HttpCode(202)
  @Authenticated({ apiKeyOnly: true, apiKeyScopes: ['ingest'] })
  @ApiAcceptedResponse({ type: CollectResultDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  collect(@Auth() auth: AuthContext, @Body() body: CollectDto): Promise<CollectResultDto> {
    return this.ingest.collect(auth, body);
  }
}
