import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { CreateOrderDto, OrderDto, OrderPageDto, OrderQuery } from './dto/order.dto';
import { OrdersService } from './orders.service';

@ApiTags('Orders')
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @Authenticated({ roles: ['advertiser'] })
  @ApiOperation({ summary: 'Order an approved listing; pay at checkoutUrl. The order is paid only when Stripe confirms by webhook.' })
  @ApiCreatedResponse({ type: OrderDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'VALIDATION_FAILED, QUANTITY_REQUIRED, INVALID_QUANTITY, QUANTITY_NOT_ALLOWED' })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'OWN_LISTING' })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LISTING_NOT_AVAILABLE, SELLER_NOT_PAYABLE' })
  @ApiBadGatewayResponse({ type: ErrorBodyDto, description: 'PAYMENT_PROVIDER_ERROR' })
  create(@Auth() auth: AuthContext, @Body() body: CreateOrderDto): Promise<OrderDto> {
    return this.orders.create(auth, body);
  }

  @Get()
  @Authenticated({ roles: ['advertiser', 'publisher', 'admin'] })
  @ApiOperation({ summary: 'Orders placed by the caller (advertiser), of its listings (publisher), or all (admin)' })
  @ApiOkResponse({ type: OrderPageDto })
  list(@Auth() auth: AuthContext, @Query() q: OrderQuery): Promise<OrderPageDto> {
    return this.orders.list(auth, q);
  }

  @Get(':id')
  @Authenticated({ roles: ['advertiser', 'publisher', 'admin'] })
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Missing or not yours' })
  get(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<OrderDto> {
    return this.orders.get(auth, id);
  }
}
