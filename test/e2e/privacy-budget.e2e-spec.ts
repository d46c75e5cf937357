import { Types } from 'mongoose';
import { AppError } from '../../src/common/app-error';
import { PrivacyBudget } from '../../src/matching/privacy-budget';
import { createTestApp, type TestApp } from '../helpers/app';

const id = () => new Types.ObjectId().toHexString();

describe('privacy budget (real database)', () => {
  let t: TestApp;
  let budget: PrivacyBudget;
  beforeAll(async () => {
    // ε 0.5 per answer, budget 3: six answers per organisation and listing.
    t = await createTestApp({ env: { OVERLAP_EPSILON: '0.5', OVERLAP_EPSILON_BUDGET: '3' } });
    budget = t.app.get(PrivacyBudget);
  });
  afterAll(() => t.close());

  it('lets exactly six of ten concurrent spends through; the others get 429', async () => {
    const org = id();
    const listing = id();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => budget.spend(org, listing)));
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<any>).value);
    const failed = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(ok).toHaveLength(6);
    expect(failed).toHaveLength(4);
    for (const e of failed) {
      expect(e).toBeInstanceOf(AppError);
      expect(e.getStatus()).toBe(429);
      expect(e.code).toBe('PRIVACY_BUDGET_EXHAUSTED');
    }
    // Each success saw a distinct slot: spent 0.5, 1, …, 3.
    expect(ok.map((r) => r.epsilonSpent).sort((a, b) => a - b)).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    for (const r of ok) expect(r.epsilonSpent + r.epsilonRemaining).toBeCloseTo(3, 9);
    // Stored with real ObjectIds (not strings), so the (orgId, listingId) index serves the count.
    const spends = t.connection.collection('privacySpends');
    expect(await spends.countDocuments({ orgId: new Types.ObjectId(org), listingId: new Types.ObjectId(listing) })).toBe(6);
    expect((await spends.findOne({ _id: `${org}:${listing}:5` } as any))?.slot).toBe(5);
    await expect(budget.status(org, listing)).resolves.toEqual({ epsilonSpent: 3, epsilonRemaining: 0 });
    await expect(budget.spend(org, listing)).rejects.toMatchObject({ code: 'PRIVACY_BUDGET_EXHAUSTED' });
  });

  it('keeps a separate budget per listing and per organisation', async () => {
    const org = id();
    const other = id();
    const [l1, l2] = [id(), id()];
    for (let i = 0; i < 6; i++) await budget.spend(org, l1);
    await expect(budget.spend(org, l1)).rejects.toMatchObject({ code: 'PRIVACY_BUDGET_EXHAUSTED' });
    await expect(budget.spend(org, l2)).resolves.toEqual({ epsilonSpent: 0.5, epsilonRemaining: 2.5 });
    await expect(budget.spend(other, l1)).resolves.toEqual({ epsilonSpent: 0.5, epsilonRemaining: 2.5 });
    await expect(budget.status(id(), l1)).resolves.toEqual({ epsilonSpent: 0, epsilonRemaining: 3 });
  });

  it('refuses ids that are not ObjectIds', async () => {
    await expect(budget.spend('not-an-id', id())).rejects.toThrow(/ObjectId/);
  });
});
