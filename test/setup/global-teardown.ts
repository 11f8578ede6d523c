/** Stops the broker that globalSetup started, and nothing else; runs when tests fail too. */
export default async function globalTeardown(): Promise<void> {
  const broker = globalThis.__E2E_BROKER__;
  globalThis.__E2E_BROKER__ = undefined;
  await broker?.stop();
}
