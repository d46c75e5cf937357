import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { TestApp } from './app';
import type { Actor } from './builders';
import { anAccount, anEvent, sendEvent } from './stripe-events';

/**
 * Gives a publisher's organization a Connect account of its own and makes it payable through the real path: a
 * signed account.updated webhook. The account id is written directly (seeding only) because stripe-mock answers
 * every accounts.create with the same id, and stripeAccountId is unique across organizations.
 */
export async function aPayableSeller(t: TestApp, publisher: Actor): Promise<string> {
  const accountId = `acct_test_${randomBytes(6).toString('hex')}`;
  await t.connection
    .collection('organizations')
    .updateOne({ _id: new Types.ObjectId(publisher.organizationId) }, { $set: { stripeAccountId: accountId } });
  await sendEvent(t, anEvent('account.updated', anAccount(accountId))).expect(200);
  return accountId;
}
