export default async function globalTeardown(): Promise<void> {
  const g = globalThis as any;
  g.__STRIPE_MOCK__?.kill('SIGTERM');
  await g.__FERRET__?.stop();
}
