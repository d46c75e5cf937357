import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { WebhookAckDto } from './dto/payments.dto';
import { WebhookService } from './webhook.service';

@ApiTags('Payments')
@Controller('v1/payments')
export class PaymentsController {
  constructor(private readonly webhooks: WebhookService) {}

  /** Stripe calls this; it is public but every body must carry a valid signature made with STRIPE_WEBHOOK_SECRET. */
  @Post('webhook')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Stripe webhook endpoint',
    description:
      'Events handled: checkout.session.completed, checkout.session.async_payment_succeeded, ' +
      'checkout.session.async_payment_failed, charge.refunded, charge.dispute.created, charge.dispute.closed, ' +
      'account.updated. Each event id is applied once.',
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 't=<unix time>,v1=<HMAC-SHA256 of "t.body">; 5-minute tolerance' })
  @ApiConsumes('application/json')
  @ApiBody({
    description: 'The Stripe event exactly as sent: the raw bytes are verified, so it is not parsed before the check',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'WEBHOOK_SIGNATURE_INVALID' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'WEBHOOK_EVENT_IN_PROGRESS: another delivery of this event is being applied; Stripe retries' })
  receive(@Req() req: Request, @Headers('stripe-signature') signature?: string): Promise<WebhookAckDto> {
    return this.webhooks.receive(req.body, signature);
  }
}
