import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { ConsentService } from './consent.service';
import { ConsentHistoryDto, RecordConsentDto, RecordedConsentDto, SubjectKeyParam } from './dto/consent.dto';

@ApiTags('Consent')
@Controller('v1/consent')
export class ConsentController {
  constructor(private readonly consent: ConsentService) {}

  @Post()
  @Authenticated({ roles: ['publisher'], apiKeyScopes: ['consent'] })
  @ApiCreatedResponse({ type: RecordedConsentDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  record(@Auth() auth: AuthContext, @Body() body: RecordConsentDto): Promise<RecordedConsentDto> {
    return this.consent.record(auth, body);
  }

  @Get(':subjectKey')
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: ConsentHistoryDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  history(@Auth() auth: AuthContext, @Param() { subjectKey }: SubjectKeyParam): Promise<ConsentHistoryDto> {
    return this.consent.history(auth, subjectKey);
  }
}
