import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { NoticeDto, NoticePageDto, NoticeQuery } from './dto/delivery.dto';
import { NoticesService } from './notices.service';

@ApiTags('Notices')
@Controller('v1/notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  @Get()
  @Authenticated({ roles: ['advertiser'] })
  @ApiOkResponse({ type: NoticePageDto })
  list(@Auth() auth: AuthContext, @Query() q: NoticeQuery): Promise<NoticePageDto> {
    return this.notices.list(auth, q);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @Authenticated({ roles: ['advertiser'] })
  @ApiOkResponse({ type: NoticeDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'NOTICE_ALREADY_ACKNOWLEDGED' })
  acknowledge(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<NoticeDto> {
    return this.notices.acknowledge(auth, id);
  }
}
