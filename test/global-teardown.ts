export default async function globalTeardown(): Promise<void> {
  const g = globalThis as any;
  g.__STRIPE_MOCK__?.stop();
  await g.__FERRET__?.stop();
}
