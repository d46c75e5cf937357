import { ApiProperty } from '@nestjs/swagger';
import { IsMongoId } from 'class-validator';

export class IdParam {
  @ApiProperty({ description: 'Object id' })
  @IsMongoId()
  id: string;
}
