import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { PollerConfig } from './poller-config.js';

/** DI token of the validated PollerConfig: the first operation's, whose process settings all share. */
export const POLLER_CONFIG = Symbol('POLLER_CONFIG');

/** DI token of the fleet's configuration (FleetConfig). */
export const FLEET_CONFIG = Symbol('FLEET_CONFIG');

/** The operations a process is configured with (config/operations-file.ts). */
export interface FleetConfig {
  /** One configuration per operation; the process's settings (Kafka, HTTP...) are the same in all. */
  operations: readonly PollerConfig[];
  /** Listed in POLLER_OPERATIONS_FILE: shared with the other replicas through the fleet's group. */
  shared: boolean;
}

/**
 * Provides the configuration that main.ts validated before Nest started (so a bad value stops
 * the process before any module, connection or port opens). A single configuration is a fleet
 * of one, run here alone (no group), as before the fleet.
 */
@Global()
@Module({})
export class PollerConfigModule {
  static forRoot(config: PollerConfig | FleetConfig): DynamicModule {
    const fleet: FleetConfig =
      'operations' in config ? config : { operations: [config], shared: false };
    return {
      module: PollerConfigModule,
      providers: [
        { provide: POLLER_CONFIG, useValue: fleet.operations[0] },
        { provide: FLEET_CONFIG, useValue: fleet },
      ],
      exports: [POLLER_CONFIG, FLEET_CONFIG],
    };
  }
}
