import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class WebhookAckDto {
  @ApiProperty({ example: true }) received: true;
  @ApiPropertyOptional({ description: 'The event id was seen before; nothing new was applied' }) duplicate?: boolean;
}
