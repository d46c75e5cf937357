import { ApiProperty } from '@nestjs/swagger';

export class OnboardingLinkDto {
  @ApiProperty({ description: 'Stripe-hosted Connect onboarding page; single use, expires in minutes' }) url: string;
  @ApiProperty({ example: 'acct_1Nv0FGQ9RKHgCVdK' }) accountId: string;
}

export class PayoutStatusDto {
  @ApiProperty({ type: String, nullable: true }) accountId: string | null;
  @ApiProperty({ description: 'The account can take charges: buyers can order this publisher\'s listings' }) chargesEnabled: boolean;
  @ApiProperty() payoutsEnabled: boolean;
}
