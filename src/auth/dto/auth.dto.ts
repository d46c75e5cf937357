import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsEmail, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope, type Role } from '../../common/auth.decorators';

const trimLower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class RegisterDto {
  @ApiProperty({ example: 'ops@news.example' })
  @Transform(trimLower)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 12, maxLength: 128 })
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  password: string;

  @ApiProperty({ enum: ['publisher', 'advertiser'] })
  @IsIn(['publisher', 'advertiser'], { message: 'role must be publisher or advertiser' })
  role: 'publisher' | 'advertiser';

  @ApiProperty({ example: 'Daily News Ltd' })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  @Matches(/\S/)
  organizationName: string;
}

export class LoginDto {
  @ApiProperty() @Transform(trimLower) @IsString() @MaxLength(254) email: string;
  @ApiProperty() @IsString() @MaxLength(128) password: string;
}

export class RefreshDto {
  @ApiProperty() @IsString() @MaxLength(200) refreshToken: string;
}

export class UserDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ['publisher', 'advertiser', 'admin'] }) role: Role;
  @ApiProperty() organizationId: string;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: 'active' | 'suspended';
}

export class TokenPairDto {
  @ApiProperty() accessToken: string;
  @ApiProperty() refreshToken: string;
  @ApiProperty({ description: 'Access token lifetime in seconds' }) expiresIn: number;
  @ApiProperty({ example: 'Bearer' }) tokenType: 'Bearer';
}

export class SessionDto extends TokenPairDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'crm-sync' }) @IsString() @MinLength(1) @MaxLength(100) name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes: ApiKeyScope[];
}

export class ApiKeyDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'First characters of the key, to recognise it' }) prefix: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes: ApiKeyScope[];
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The secret key; shown only in this response' }) key: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: ApiKeyDto, isArray: true }) items: ApiKeyDto[];
}

export class CurrentApiKeyDto extends ApiKeyDto {
  @ApiProperty() organizationId: string;
}
