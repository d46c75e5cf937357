import { HttpStatus, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { type AuthContext } from '../common/auth.decorators';
import { rootLogger } from '../common/logger';
import { type OrderDto, toOrderDto } from '../orders/dto/order.dto';
import { OrdersRepository } from '../orders/orders.repository';
import { InjectStripe, type StripeClient } from './stripe.provider';

export const refundIdempotencyKey = (orderId: string) => `order:${orderId}:refund`;

/**
 * Asks Stripe for a full refund of a paid order: the buyer gets the whole amount back, the seller's transfer is
 * reversed and Audex returns its fee. The order becomes `refunded` (licence ended) only when Stripe confirms
 * with charge.refunded; until then it stays `paid` with `refund` set.
 */
@Injectable()
export class RefundsService {
  constructor(
    @InjectStripe() private readonly stripe: StripeClient,
    private readonly orders: OrdersRepository,
    private readonly audit: AuditService,
  ) {}

  async request(auth: AuthContext, id: string): Promise<OrderDto> {
    const order = await this.orders.findById(id);
    if (!order) throw AppError.notFound('Order');
    if (order.status !== 'paid' || !order.stripePaymentIntentId) {
      throw AppError.conflict('ORDER_NOT_REFUNDABLE', `An order in status ${order.status} cannot be refunded`);
    }
    if (order.refund) return toOrderDto(order); // already asked; Stripe's answer comes by webhook

    let refund;
    try {
      refund = await this.stripe.refunds.create(
        { payment_intent: order.stripePaymentIntentId, reverse_transfer: true, refund_application_fee: true, metadata: { orderId: id } },
        { idempotencyKey: refundIdempotencyKey(id) },
      );
    } catch (e: any) {
      if (e?.code === 'charge_already_refunded' || e?.code === 'charge_disputed') {
        throw AppError.conflict('ORDER_NOT_REFUNDABLE', 'Stripe refused the refund: the charge is refunded or disputed');
      }
      rootLogger().error({ orderId: id, err: { type: e?.type, code: e?.code, message: e?.message } }, 'refund failed');
      throw new AppError(HttpStatus.BAD_GATEWAY, 'PAYMENT_PROVIDER_ERROR', 'Could not request the refund; try again');
    }
    const updated = await this.orders.setRefundRequested(order._id, {
      requestedAt: new Date(),
      requestedBy: auth.userId,
      stripeRefundId: refund.id,
    });
    await this.audit.record(auth, {
      action: 'order.refund_requested',
      targetType: 'order',
      targetId: id,
      orgId: String(order.buyerOrgId),
      details: { stripeRefundId: refund.id, amount: order.amount },
    });
    return toOrderDto(updated ?? (await this.orders.findById(id))!);
  }
}
