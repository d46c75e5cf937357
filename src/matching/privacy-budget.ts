import { HttpStatus, Injectable } from '@nestjs/common';
import { isValidObjectId } from 'mongoose';
import { AppError } from '../common/app-error';
import { type AppConfig, InjectConfig } from '../config/config';
import { PrivacySpendsRepository } from './privacy-spends.repository';

export interface PrivacySpendResult {
  /** ε spent by this organisation on this listing so far, this request included. */
  epsilonSpent: number;
  epsilonRemaining: number;
}

/** Float noise off (0.1 + 0.2): budgets and ε are short decimals. */
const tidy = (x: number) => Math.round(x * 1e9) / 1e9;

/**
 * Each noisy answer about a listing costs the asking organisation ε (config privacy.overlapEpsilon); the total it
 * may spend per listing is privacy.overlapBudget, after which the answers stop (sequential composition: k answers
 * at ε each are k·ε-differentially private together).
 *
 * Spending must hold under concurrent requests on FerretDB, whose conditional updates are not atomic, so there
 * is no counter to increment: the budget is cut into slots 0..floor(budget/ε)-1 and a spend claims the lowest
 * free slot by a unique insert. Claims start at the current count and walk upwards, so the claimed slots stay
 * contiguous and a failed insert only means another request took that slot.
 */
@Injectable()
export class PrivacyBudget {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly spends: PrivacySpendsRepository,
  ) {}

  private get epsilon() {
    return this.config.privacy.overlapEpsilon;
  }
  private get budget() {
    return this.config.privacy.overlapBudget;
  }
  private get slots() {
    return Math.floor(this.budget / this.epsilon + 1e-9);
  }

  private result(used: number): PrivacySpendResult {
    const spent = tidy(used * this.epsilon);
    return { epsilonSpent: spent, epsilonRemaining: Math.max(0, tidy(this.budget - spent)) };
  }

  /** Spends one ε for `orgId` on `listingId`, or throws 429 PRIVACY_BUDGET_EXHAUSTED. */
  async spend(orgId: string, listingId: string): Promise<PrivacySpendResult> {
    checkIds(orgId, listingId);
    const slots = this.slots;
    for (let slot = await this.spends.countFor(orgId, listingId); slot < slots; slot++) {
      if (await this.spends.claimSlot(orgId, listingId, slot, this.epsilon)) return this.result(slot + 1);
    }
    throw new AppError(
      HttpStatus.TOO_MANY_REQUESTS,
      'PRIVACY_BUDGET_EXHAUSTED',
      'The privacy budget for this listing is used up; no more estimates can be given',
      { epsilonBudget: this.budget },
    );
  }

  async status(orgId: string, listingId: string): Promise<PrivacySpendResult> {
    checkIds(orgId, listingId);
    return this.result(Math.min(this.slots, await this.spends.countFor(orgId, listingId)));
  }
}

function checkIds(orgId: string, listingId: string) {
  // Callers pass ids they already resolved; a bad one is a bug, not a client error, but fail closed anyway.
  if (!isValidObjectId(orgId) || !isValidObjectId(listingId)) throw new Error('orgId and listingId must be ObjectId strings');
}
