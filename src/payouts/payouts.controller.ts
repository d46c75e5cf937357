import { Controller, Get, Post } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { OnboardingLinkDto, PayoutStatusDto } from './dto/payouts.dto';
import { PayoutsService } from './payouts.service';

@ApiTags('Payouts')
@Controller('v1/payouts')
export class PayoutsController {
  constructor(private readonly payouts: PayoutsService) {}

  @Post('onboarding')
  @Authenticated({ roles: ['publisher'] })
  @ApiOperation({ summary: 'Create the Stripe Connect Express account once and return an onboarding link' })
  @ApiCreatedResponse({ type: OnboardingLinkDto })
  @ApiBadGatewayResponse({ type: ErrorBodyDto, description: 'PAYMENT_PROVIDER_ERROR' })
  onboarding(@Auth() auth: AuthContext): Promise<OnboardingLinkDto> {
    return this.payouts.onboarding(auth);
  }

  @Get('status')
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: PayoutStatusDto })
  status(@Auth() auth: AuthContext): Promise<PayoutStatusDto> {
    return this.payouts.status(auth);
  }
}
