import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth.decorators';
import { AuditService } from './audit.service';
import { AuditPageDto, AuditQuery } from './dto/audit.dto';

@ApiTags('Admin')
@Controller('v1/admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Authenticated({ roles: ['admin'] })
  @ApiOkResponse({ type: AuditPageDto })
  list(@Query() q: AuditQuery): Promise<AuditPageDto> {
    return this.audit.query(q);
  }
}
