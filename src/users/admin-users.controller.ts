import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { UserDto } from '../auth/dto/auth.dto';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { SuspendUserDto } from './dto/suspend-user.dto';
import { UsersService } from './users.service';

@ApiTags('Admin')
@Controller('v1/admin/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Post(':id/suspend')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto })
  suspend(@Auth() auth: AuthContext, @Param() { id }: IdParam, @Body() body: SuspendUserDto): Promise<UserDto> {
    return this.users.suspend(auth, id, body.reason);
  }

  @Post(':id/reinstate')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto })
  reinstate(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<UserDto> {
    return this.users.reinstate(auth, id);
  }
}
