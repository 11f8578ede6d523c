import { Logger } from '@nestjs/common';
import { optionsFromEnv } from './simulator-env.js';
import { startSimulator } from './start-simulator.js';

/** Runs the Wolkvox simulator from SIM_* variables (see simulator-env.ts). */
async function main(): Promise<void> {
  const logger = new Logger('Simulator');
  const simulator = await startSimulator(optionsFromEnv(process.env));
  const { records } = simulator.state.status();
  logger.log(
    `Wolkvox simulator on ${simulator.url}: ${records} records; control API at ${simulator.url}/control`,
  );
  const stop = (signal: string): void => {
    logger.log(`${signal}: stopping`);
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
