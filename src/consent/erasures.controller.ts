import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { EraseDto, ErasureResultDto } from './dto/consent.dto';
import { ErasuresService } from './erasures.service';

@ApiTags('Consent')
@Controller('v1/erasures')
export class ErasuresController {
  constructor(private readonly erasures: ErasuresService) {}

  @Post()
  @HttpCode(202)
  @Authenticated({ roles: ['publisher'] })
  @ApiAcceptedResponse({ type: ErasureResultDto })
  erase(@Auth() auth: AuthContext, @Body() body: EraseDto): Promise<ErasureResultDto> {
    return this.erasures.erase(auth, body);
  }
}
