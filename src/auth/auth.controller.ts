import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated, Public } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { AuthService } from './auth.service';
import { LoginDto, RefreshDto, RegisterDto, SessionDto, TokenPairDto, UserDto } from './dto/auth.dto';

@ApiTags('Auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Public()
  @ApiCreatedResponse({ type: SessionDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'EMAIL_TAKEN' })
  register(@Body() body: RegisterDto): Promise<SessionDto> {
    return this.auth.register(body);
  }

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiOkResponse({ type: SessionDto })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'RATE_LIMITED, with Retry-After' })
  login(@Body() body: LoginDto): Promise<SessionDto> {
    return this.auth.login(body);
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @ApiOkResponse({ type: TokenPairDto })
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated()
  @ApiNoContentResponse()
  logout(@Auth() auth: AuthContext, @Body() body: RefreshDto): Promise<void> {
    return this.auth.logout(auth, body.refreshToken);
  }

  @Get('me')
  @Authenticated()
  @ApiOkResponse({ type: UserDto })
  me(@Auth() auth: AuthContext): Promise<UserDto> {
    return this.auth.me(auth);
  }
}
