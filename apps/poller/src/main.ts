import './startup/require-node.js';
import type { Logger } from 'pino';
import type { FleetConfig } from './config/config.module.js';
import { loadFleet } from './config/operations-file.js';
import type { PollerConfig } from './config/poller-config.js';
import { brokerTrustProblem } from './kafka/broker-trust.js';
import { createAppLogger } from './logging/app-logger.js';
import { routeProcessWarnings } from './logging/process-warnings.js';
import { SecretScrubber } from './logging/secret-scrubber.js';
import { EXIT } from './startup/exit-codes.js';
import { portProblem, portUnavailable } from './startup/http-port.js';
import { budgetWarning } from './budget/budget-warning.js';
import { wallTimeOf } from '@app/contracts';

async function bootstrap(fleet: FleetConfig, logger: Logger): Promise<void> {
  const config: PollerConfig = fleet.operations[0];
  // Nest, the modules and kafkajs are loaded only once the configuration is known to be good.
  const [{ NestFactory }, { Logger: NestPinoLogger }, { AppModule }] = await Promise.all([
    import('@nestjs/core'),
    import('nestjs-pino'),
    import('./app.module.js'),
  ]);
  // Logs made while modules start are held until the pino logger is installed, so that every
  // line the process writes is JSON. abortOnError off: a start-up failure reaches the catch
  // below (logged, exit 1) instead of process.abort() and a core dump.
  const app = await NestFactory.create(AppModule.forRoot(fleet, logger), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(NestPinoLogger));
  // SIGTERM/SIGINT close the application (the poll loop finishes or abandons its cycle
  // uncommitted, releases the lease, closes the producer) and exit 0. Nest's own shutdown hooks
  // would end the process by re-raising the signal; a clean stop should say so with code 0. If
  // closing hangs, the process still ends, with code 1.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ context: 'Shutdown', signal }, 'shutting down');
      setTimeout(() => {
        logger.error({ context: 'Shutdown' }, 'shutdown did not finish in time');
        process.exit(1);
      }, config.shutdownTimeoutMs + 10_000).unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ context: 'Shutdown', err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  await app.listen(config.http.port, '0.0.0.0');
  logger.info(
    { context: 'Http', port: config.http.port },
    `health and metrics on :${config.http.port}`,
  );
}

function configError(problems: string[]): never {
  for (const problem of problems) process.stderr.write(`config error: ${problem}\n`);
  process.exit(EXIT.config);
}

// Configuration first, before any module, connection or port: a bad value stops here, one line
// per problem, and nothing else starts. The HTTP port too: taken, it is one line, not a stack
// trace after the whole start-up.
// One operation from the variables, or a fleet's from POLLER_OPERATIONS_FILE; the process's
// own settings (Kafka, HTTP, logging) are the same in every entry.
const result = loadFleet(process.env);
if (!result.ok) configError(result.problems);
const { operations, shared } = result;
const config = operations[0];
const portTaken = config.http.port === 0 ? undefined : await portUnavailable(config.http.port);
if (portTaken) configError([portProblem(config.http.port, portTaken)]);
// With TLS, the brokers' certificates next: one this process does not trust is a setting to fix,
// which kafkajs would otherwise retry forever (kafka/broker-trust.ts).
const untrusted = await brokerTrustProblem(config.kafka);
if (untrusted) configError([untrusted]);
const logger = createAppLogger({
  level: config.logLevel,
  scrubber: SecretScrubber.fromConfigs(operations),
});
// Before kafkajs loads: its first request already emits a warning on Node 24 and later.
routeProcessWarnings(logger);
for (const warning of result.warnings) logger.warn({ context: 'Config' }, warning);
for (const settings of result.settings)
  logger.info({ context: 'Config' }, `settings in effect: ${settings}`);
for (const operation of operations) {
  const budget = budgetWarning(operation, wallTimeOf(new Date(), operation.wolkvox.timeZone));
  if (budget) logger.warn({ context: 'Budget', operation: operation.wolkvox.server }, budget);
}
try {
  await bootstrap({ operations, shared }, logger);
} catch (error) {
  // Another process may have taken the port between the check and Nest's listen.
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
    configError([portProblem(config.http.port, 'EADDRINUSE')]);
  logger.fatal({ err: error }, 'the poller could not start');
  process.exit(1);
}
