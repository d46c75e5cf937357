import { Controller, Get } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { type Connection } from 'mongoose';
import { AppError } from '../common/app-error';
import { Public } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';

class HealthDto {
  @ApiProperty({ example: 'ok' }) status: 'ok';
}
class ReadyDto extends HealthDto {
  @ApiProperty({ example: 'up' }) database: 'up';
}

@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  @Get()
  @Public()
  @ApiOkResponse({ type: HealthDto })
  live(): HealthDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOkResponse({ type: ReadyDto })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto })
  async ready(): Promise<ReadyDto> {
    try {
      await this.connection.db!.admin().ping();
    } catch {
      throw new AppError(503, 'DATABASE_UNAVAILABLE', 'Database is not reachable');
    }
    return { status: 'ok', database: 'up' };
  }
}
