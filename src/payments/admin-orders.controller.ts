import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { OrderDto } from '../orders/dto/order.dto';
import { RefundsService } from './refunds.service';

@ApiTags('Admin')
@Controller('v1/admin/orders')
export class AdminOrdersController {
  constructor(private readonly refunds: RefundsService) {}

  @Post(':id/refund')
  @HttpCode(202)
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({
    summary: 'Refund a paid order through Stripe (transfer reversed, platform fee refunded)',
    description: 'Answers 202 with the order carrying `refund`; it becomes `refunded` and its licence ends when Stripe confirms (charge.refunded).',
  })
  @ApiAcceptedResponse({ type: OrderDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'ORDER_NOT_REFUNDABLE' })
  @ApiBadGatewayResponse({ type: ErrorBodyDto, description: 'PAYMENT_PROVIDER_ERROR' })
  refund(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<OrderDto> {
    return this.refunds.request(auth, id);
  }
}
