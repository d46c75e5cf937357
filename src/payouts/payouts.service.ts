import { HttpStatus, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { type AuthContext } from '../common/auth.decorators';
import { rootLogger } from '../common/logger';
import { type AppConfig, InjectConfig } from '../config/config';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { InjectStripe, type StripeClient } from '../payments/stripe.provider';
import type { OnboardingLinkDto, PayoutStatusDto } from './dto/payouts.dto';

export const accountIdempotencyKey = (orgId: string) => `org:${orgId}:account`;

const providerError = (e: any, what: string) => {
  rootLogger().error({ err: { type: e?.type, code: e?.code, message: e?.message } }, what);
  return new AppError(HttpStatus.BAD_GATEWAY, 'PAYMENT_PROVIDER_ERROR', 'Stripe did not answer; try again');
};

/** Stripe Connect Express accounts for publishers: created once per organization, onboarded on Stripe's pages. */
@Injectable()
export class PayoutsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectStripe() private readonly stripe: StripeClient,
    private readonly orgs: OrganizationsRepository,
    private readonly audit: AuditService,
  ) {}

  async onboarding(auth: AuthContext): Promise<OnboardingLinkDto> {
    const accountId = await this.ensureAccount(auth);
    try {
      const link = await this.stripe.accountLinks.create({
        account: accountId,
        refresh_url: this.config.stripe.connectRefreshUrl,
        return_url: this.config.stripe.connectReturnUrl,
        type: 'account_onboarding',
      });
      return { url: link.url, accountId };
    } catch (e) {
      throw providerError(e, 'account link failed');
    }
  }

  /** Fresh from Stripe when it answers (and stored), else the last state webhooks recorded. */
  async status(auth: AuthContext): Promise<PayoutStatusDto> {
    const org = await this.orgs.findById(auth.orgId);
    if (!org) throw AppError.notFound('Organization');
    if (!org.stripeAccountId) return { accountId: null, chargesEnabled: false, payoutsEnabled: false };
    try {
      const account = await this.stripe.accounts.retrieve(org.stripeAccountId);
      const chargesEnabled = account.charges_enabled === true;
      const payoutsEnabled = account.payouts_enabled === true;
      await this.orgs.updatePayoutState(org.stripeAccountId, chargesEnabled, payoutsEnabled);
      return { accountId: org.stripeAccountId, chargesEnabled, payoutsEnabled };
    } catch (e: any) {
      rootLogger().warn({ orgId: auth.orgId, err: { type: e?.type, message: e?.message } }, 'account refresh failed; stored state');
      return { accountId: org.stripeAccountId, chargesEnabled: org.chargesEnabled, payoutsEnabled: org.payoutsEnabled };
    }
  }

  private async ensureAccount(auth: AuthContext): Promise<string> {
    const org = await this.orgs.findById(auth.orgId);
    if (!org) throw AppError.notFound('Organization');
    if (org.stripeAccountId) return org.stripeAccountId;
    let account;
    try {
      // The idempotency key makes a retried or concurrent first call return the same account from Stripe.
      account = await this.stripe.accounts.create(
        { type: 'express', metadata: { orgId: auth.orgId } },
        { idempotencyKey: accountIdempotencyKey(auth.orgId) },
      );
    } catch (e) {
      throw providerError(e, 'account creation failed');
    }
    const saved = await this.orgs.setStripeAccountIfMissing(org._id, account.id);
    if (saved) {
      await this.audit.record(auth, {
        action: 'payouts.account_created',
        targetType: 'organization',
        targetId: auth.orgId,
        orgId: auth.orgId,
        details: { stripeAccountId: account.id },
      });
      return account.id;
    }
    // A concurrent call stored an account first: keep that one.
    const current = await this.orgs.findById(org._id);
    return current!.stripeAccountId!;
  }
}
