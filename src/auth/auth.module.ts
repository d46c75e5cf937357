import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { MongooseModule } from '@nestjs/mongoose';
import { PassportModule } from '@nestjs/passport';
import { type AppConfig, APP_CONFIG } from '../config/config';
import { AdminUsersController } from '../users/admin-users.controller';
import { User, UserSchema } from '../users/user.schema';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { ApiKey, ApiKeySchema } from './api-key.schema';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { ApiKeysRepository, RefreshTokensRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { AuthenticationGuard } from './authentication.guard';
import { JwtStrategy } from './jwt.strategy';
import { RefreshToken, RefreshTokenSchema } from './refresh-token.schema';
import { UserAuthCache } from './user-auth.cache';

/** Accounts, sessions and credentials: users live here too, since auth and user state change together. */
@Global()
@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => ({
        secret: c.jwt.accessSecret,
        signOptions: { algorithm: 'HS256', expiresIn: c.jwt.accessTtlSeconds, issuer: c.jwt.issuer, audience: c.jwt.audience },
        verifyOptions: { algorithms: ['HS256'], issuer: c.jwt.issuer, audience: c.jwt.audience },
      }),
    }),
    MongooseModule.forFeature([
      { name: User.name, schema: UserSchema },
      { name: RefreshToken.name, schema: RefreshTokenSchema },
      { name: ApiKey.name, schema: ApiKeySchema },
    ]),
  ],
  controllers: [AuthController, ApiKeysController, AdminUsersController],
  providers: [
    UsersRepository,
    UserAuthCache,
    RefreshTokensRepository,
    ApiKeysRepository,
    UsersService,
    AuthService,
    ApiKeysService,
    JwtStrategy,
    AuthenticationGuard,
  ],
  exports: [UsersRepository, UserAuthCache, AuthenticationGuard, ApiKeysService],
})
export class AuthModule {}
