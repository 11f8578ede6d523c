import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { PollerConfig } from '../config/poller-config.js';
import { processSecretFiles, SecretFileWatcher } from '../loop/secret-file-watcher.js';
import type { OperationRuntime } from './operation-runtime.js';

/**
 * How the replicas of a fleet share its operations (fleet/fleet-share.ts on Kafka's group
 * membership): the supervisor is told, after each change, which operations this replica runs.
 */
export interface OperationShare {
  /** Joins the fleet; `serve` is called with this replica's server codes after every change. */
  start(serve: (servers: readonly string[]) => Promise<void>): Promise<void>;
  /** Leaves at once: the other replicas take this one's operations. */
  stop(): Promise<void>;
  /** Where the membership stands, for readiness. */
  state(): ShareState;
}

export interface ShareState {
  /** A member told its share (possibly none): false before the first assignment. */
  member: boolean;
  /** The last failure to join or stay in the group, while not a member. */
  problem?: string;
}

/** The operations a process runs, and how it decides which (DI token: FLEET). */
export interface Fleet {
  /** Every operation of the configuration (the file's entries, or the variables' one). */
  operations: readonly PollerConfig[];
  /** Set when the operations are shared with other replicas; without it, all run here. */
  share?: OperationShare;
}

/**
 * The process's one supervisor of its operations' runtimes, as Kafka Connect's Worker is of its
 * tasks. Without a share (the variables' one operation, as before the fleet) it builds every
 * runtime at once and starts them with the application. With one, it runs what the fleet's
 * group gives this replica: an operation that comes is built afresh and started, one that goes
 * is stopped (drained, its lease released, so the replica that takes it over claims it at once).
 * Changes are applied one after the other. At shutdown every runtime stops first, and only then
 * does the replica leave the group, so its operations move with their leases already released.
 */
export class RuntimeSupervisor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Fleet');
  /** The process's own secret files (the Kafka password its connections share). */
  private readonly secrets: SecretFileWatcher;
  private readonly running = new Map<string, OperationRuntime>();
  private readonly byServer: ReadonlyMap<string, PollerConfig>;
  private changes: Promise<void> = Promise.resolve();
  private stopping = false;
  /** Fenced runtimes waiting to be built again (retakeWhenFenced). */
  private readonly retakes = new Set<NodeJS.Timeout>();
  /** Runtimes being stopped because their operation moved: a fence then is the handover's. */
  private readonly leaving = new Set<OperationRuntime>();

  /**
   * @param retakeAfterMs how long a fenced operation of this replica's share waits before a
   *   fresh runtime looks at its lease again: its lease period, so that the claim that fenced
   *   it has written its heartbeat by then (tests shorten it).
   */
  constructor(
    readonly fleet: Fleet,
    private readonly build: (config: PollerConfig) => OperationRuntime,
    private readonly retakeAfterMs = (config: PollerConfig) => config.poll.leaseSeconds * 1000,
  ) {
    const first = fleet.operations[0];
    this.secrets = new SecretFileWatcher(processSecretFiles(first), first.poll.intervalSeconds);
    this.byServer = new Map(fleet.operations.map((config) => [config.wolkvox.server, config]));
    // Built now, so that the one operation's parts exist as soon as the module does.
    if (!fleet.share) for (const config of fleet.operations) this.add(config);
  }

  /** Whether the operations are shared with other replicas through the fleet's group. */
  get shared(): boolean {
    return this.fleet.share !== undefined;
  }

  /** The runtimes this process runs now, in the configuration's order. */
  get runtimes(): OperationRuntime[] {
    return this.fleet.operations
      .map((config) => this.running.get(config.wolkvox.server))
      .filter((runtime): runtime is OperationRuntime => runtime !== undefined);
  }

  /** The one operation of a configuration without a share. */
  get only(): OperationRuntime {
    if (this.shared || this.running.size !== 1)
      throw new Error('only a configuration of one operation, unshared, has an only runtime');
    return this.runtimes[0];
  }

  /** Nest's hooks: health answers from before the first cycle until after the last. */
  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  beforeApplicationShutdown(signal?: string): Promise<void> {
    return this.stop(signal);
  }

  /**
   * Starts the runtimes, or has the share join the fleet's group (in the background: the share
   * keeps trying while the brokers are away, and readiness says so), which says which to start.
   */
  async start(): Promise<void> {
    this.secrets.start();
    const { share } = this.fleet;
    if (!share) {
      for (const runtime of this.running.values()) runtime.start();
      return;
    }
    await share.start((servers) => this.serve(servers));
  }

  /** Stops every runtime (each drains its cycle and releases its lease), then leaves the group. */
  async stop(signal?: string): Promise<void> {
    this.stopping = true;
    for (const timer of this.retakes) clearTimeout(timer);
    this.retakes.clear();
    await this.changes;
    await Promise.all([...this.running.values()].map((runtime) => runtime.stop(signal)));
    this.running.clear();
    await this.fleet.share?.stop();
    this.secrets.stop();
  }

  /** Runs exactly `servers` (those of the configuration), after the changes before it. */
  serve(servers: readonly string[]): Promise<void> {
    return this.change(() => this.apply(servers));
  }

  /** Runs `work` after the changes before it, one change at a time. */
  private change(work: () => Promise<void>): Promise<void> {
    const next = this.changes.then(work);
    this.changes = next.catch((error: unknown) =>
      this.logger.error(
        `could not change the operations this replica runs: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
    return this.changes;
  }

  private async apply(servers: readonly string[]): Promise<void> {
    if (this.stopping) return;
    const wanted = new Set(servers.filter((server) => this.byServer.has(server)));
    const leaving = [...this.running.keys()].filter((server) => !wanted.has(server));
    const coming = [...wanted].filter((server) => !this.running.has(server));
    if (leaving.length === 0 && coming.length === 0) return;
    await Promise.all(
      leaving.map(async (server) => {
        const runtime = this.running.get(server)!;
        this.leaving.add(runtime);
        await runtime.stop('moved');
        this.running.delete(server);
        this.leaving.delete(runtime);
      }),
    );
    for (const server of coming) this.add(this.byServer.get(server)!).start();
    this.logger.log(
      `runs ${wanted.size} of ${this.byServer.size} operations` +
        (coming.length ? `; took ${coming.join(', ')}` : '') +
        (leaving.length ? `; handed over ${leaving.join(', ')}` : ''),
    );
  }

  private add(config: PollerConfig): OperationRuntime {
    const runtime = this.build(config);
    this.running.set(config.wolkvox.server, runtime);
    if (this.shared) this.retakeWhenFenced(runtime);
    return runtime;
  }

  /**
   * In a fleet, a runtime fenced on an operation this replica still runs lost a race of claims:
   * the lease is not a lock, and two replicas told of a move at different moments (one handing
   * the operation over while its first load was still under way, the other taking it) can both
   * find it free and both claim; the later claim fences the earlier (docs/DESIGN.md). The group
   * still gives this replica the operation, and the other may be on its way out, so rather than
   * stay fenced for good (a lone poller's rule, where the other is a copy to be found), the
   * replica goes back to the lease: after a lease period, long enough for the winning claim's
   * heartbeat to be written, a fresh runtime looks at it, stands by while the other holds it,
   * and claims once it is released or has lapsed.
   */
  private retakeWhenFenced(runtime: OperationRuntime): void {
    const subscription = runtime.status.cycles.subscribe(({ outcome }) => {
      if (outcome.kind !== 'fenced' || this.stopping || this.leaving.has(runtime)) return;
      subscription.unsubscribe();
      const waitMs = this.retakeAfterMs(runtime.config);
      this.logger.warn(
        `${runtime.operation} was claimed by another replica while this one runs it; ` +
          `a fresh runtime looks at its lease in ${Math.round(waitMs / 1000)} s`,
      );
      const timer = setTimeout(() => {
        this.retakes.delete(timer);
        void this.change(() => this.retake(runtime));
      }, waitMs);
      this.retakes.add(timer);
    });
  }

  /** Replaces a fenced runtime by a fresh one, if the operation is still this replica's. */
  private async retake(fenced: OperationRuntime): Promise<void> {
    if (this.stopping || this.running.get(fenced.operation) !== fenced) return;
    await fenced.stop('fenced');
    this.add(fenced.config).start();
    this.logger.log(`took ${fenced.operation} again after it was fenced`);
  }
}
