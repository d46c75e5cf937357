import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation,
  ApiPayloadTooLargeResponse, ApiTags, ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { PageQuery } from '../common/pagination';
import { AudiencesService } from './audiences.service';
import { AudienceDto, AudiencePageDto, CreateAudienceDto } from './dto/audience.dto';
import { IngestResultDto } from './dto/ingest.dto';
import { IngestService, UPLOAD_MEDIA_TYPES } from './ingest/ingest.service';

@ApiTags('Audiences')
@Controller('v1/audiences')
export class AudiencesController {
  constructor(
    private readonly audiences: AudiencesService,
    private readonly ingest: IngestService,
  ) {}

  @Post()
  @Authenticated({ roles: ['publisher'] })
  @ApiCreatedResponse({ type: AudienceDto })
  create(@Auth() auth: AuthContext, @Body() body: CreateAudienceDto): Promise<AudienceDto> {
    return this.audiences.create(auth, body);
  }

  @Get()
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: AudiencePageDto })
  list(@Auth() auth: AuthContext, @Query() q: PageQuery): Promise<AudiencePageDto> {
    return this.audiences.list(auth, q);
  }

  @Get(':id')
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: AudienceDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<AudienceDto> {
    return this.audiences.get(auth, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ roles: ['publisher'] })
  @ApiNoContentResponse({ description: 'The audience and its subjects are deleted' })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  remove(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<void> {
    return this.audiences.remove(auth, id);
  }

  @Post(':id/records')
  @HttpCode(200)
  @Authenticated({ roles: ['publisher'], apiKeyScopes: ['ingest'] })
  @ApiOperation({
    summary: 'Stream records into the audience',
    description:
      'NDJSON (one record per line), CSV (header: email, email_sha256, phone, phone_sha256, maid, consent_status, ' +
      'consent_purposes "1;3;4", consent_at, tc_string, trait.<name>) or a JSON array of records. Bad records are ' +
      'reported and skipped; re-sending the same file changes nothing.',
  })
  @ApiConsumes(...UPLOAD_MEDIA_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'The records, streamed' })
  @ApiOkResponse({ type: IngestResultDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiPayloadTooLargeResponse({ type: ErrorBodyDto })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorBodyDto })
  upload(@Auth() auth: AuthContext, @Param() { id }: IdParam, @Req() req: Request): Promise<IngestResultDto> {
    return this.ingest.upload(auth, id, req);
  }
}
