#!/usr/bin/env node
import '../startup/require-node.js';
import { reconcileCommand } from './reconcile-command.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { cliContext, listOperations, type CliIo } from './cli-context.js';
import { parseOffsets } from './replay-format.js';
import type { ReplayStart } from './replay.js';
import {
  backfillCommand,
  budgetCommand,
  checkpointCommand,
  checkpointResetCommand,
  planCommand,
  replayCommand,
} from './commands.js';
import { EXIT } from '../startup/exit-codes.js';

/*
 * wolkvox-poller-cli: operate the poller from a shell, over the same code (config schema, ports,
 * PollCycle, checkpoint codec, contracts decoder). Configuration comes from the poller's own
 * environment variables. Built to dist/apps/poller/src/cli/main.js; see docs/OPERATIONS.md.
 */

// kafkajs's notice that its default partitioner changed in v2.0 concerns upgrades from v1:
// every topic here has only ever been written with v2's (the Java client's) partitioner.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

// `... | head` closes stdout early: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const io: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

const rfc3339 = z.iso.datetime({ offset: true });
function instant(name: string) {
  return (value: string): Date => {
    if (!rfc3339.safeParse(value).success)
      throw new InvalidArgumentError(
        `${name} must be an RFC 3339 instant such as 2026-03-01T00:00:00-05:00`,
      );
    return new Date(value);
  };
}
function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be a whole number above 0');
  return Number(value);
}

/** Ctrl-C stops a command cleanly (a transaction in flight is finished or aborted); twice exits. */
const abort = new AbortController();
process.on('SIGINT', () => {
  if (abort.signal.aborted) process.exit(EXIT.interrupted);
  process.stderr.write('stopping (Ctrl-C again to quit at once)\n');
  abort.abort();
});
process.on('SIGTERM', () => abort.abort());

async function run(
  needs: { token: boolean; server: boolean },
  command: (ctx: ReturnType<typeof cliContext>) => Promise<number>,
): Promise<void> {
  const { operation } = program.opts<{ operation?: string }>();
  const ctx = cliContext(process.env, needs, io, operation);
  try {
    process.exitCode = await command(ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`error: ${ctx.scrubber.scrub(message)}`);
    process.exitCode = EXIT.failed;
  }
}

const program = new Command()
  .name('wolkvox-poller-cli')
  .description(
    "Operate the Wolkvox email.sent poller: backfill a range, show the checkpoint and budget, replay events. Reads the poller's environment variables (KAFKA_*, WOLKVOX_*, topics).",
  )
  .showHelpAfterError()
  // A bad command line is EX_USAGE (64), apart from failures (1) and configuration (78);
  // commander would exit 1. Help and --version stay 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage))
  .option(
    '--operation <server>',
    "the operation (its server code) a command is about: one of POLLER_OPERATIONS_FILE's, or instead of WOLKVOX_SERVER",
  );

program
  .command('operations')
  .description(
    'list the operations the configuration describes (the entries of POLLER_OPERATIONS_FILE, or the one of the variables)',
  )
  .option('--json', 'print one JSON object per operation')
  .action((options: { json?: boolean }) => {
    process.exitCode = listOperations(process.env, io, options.json === true);
  });

program
  .command('checkpoint')
  .description(
    "show the operation's checkpoint: cursor, settledBefore, seen keys, budget, generation",
  )
  .option('--json', 'print one JSON object')
  .action((options: { json?: boolean }) =>
    run({ token: false, server: true }, (ctx) => checkpointCommand(ctx, options)),
  );

program
  .command('reconcile')
  .description(
    'show when the last daily reconciliation pass ran, what it read and what it found late',
  )
  .option('--json', 'print one JSON object')
  .action((options: { json?: boolean }) =>
    run({ token: false, server: true }, (ctx) => reconcileCommand(ctx, options)),
  );

program
  .command('checkpoint-reset')
  .description(
    "replace the operation's checkpoint (an unreadable one included) with a fresh one at --to; refused while a poller holds the operation",
  )
  .requiredOption('--to <instant>', 'RFC 3339 instant to read from, e.g. 2026-03-01T00:00:00-05:00')
  .action((options: { to: string }) => {
    const to = new Date(options.to);
    if (!/[zZ]|[+-]\d\d:\d\d$/.test(options.to) || Number.isNaN(to.getTime())) {
      io.err(`--to must be an RFC 3339 instant with an offset, got ${JSON.stringify(options.to)}`);
      process.exitCode = EXIT.usage;
      return;
    }
    return run({ token: false, server: true }, (ctx) => checkpointResetCommand(ctx, { to }));
  });

program
  .command('budget')
  .description("show the day's request budget as the checkpoint recorded it")
  .option('--json', 'print one JSON object')
  .action((options: { json?: boolean }) =>
    run({ token: false, server: true }, (ctx) => budgetCommand(ctx, options)),
  );

/** A range of the report: `backfill` reads it, `plan` prices it. */
function rangeCommand(name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .requiredOption('--from <rfc3339>', 'start of the range, inclusive', instant('--from'))
    .requiredOption('--to <rfc3339>', 'end of the range, exclusive', instant('--to'));
}

rangeCommand(
  'plan',
  'before a backfill: the calls [--from, --to) will take, the local days the daily budget spreads them over beside the live poll, and the time; spends no call',
)
  .option(
    '--records-per-day <n>',
    'records a day to assume over the range (default: the density in the checkpoint)',
    positiveInt,
  )
  .option('--json', 'print one JSON object')
  .action((options: { from: Date; to: Date; recordsPerDay?: number; json?: boolean }) =>
    run({ token: false, server: true }, (ctx) => planCommand(ctx, options)),
  );

const replayCommandLine = program
  .command('replay')
  .description('print the events (or dead letters) the topic holds, decoded with the contracts lib')
  .addOption(
    new Option('--from-beginning', 'from the first message of every partition').conflicts([
      'offset',
      'since',
    ]),
  )
  .addOption(
    new Option('--offset <partition:offset,...>', 'from these offsets; only the partitions named')
      .argParser(parseOffsetsOption)
      .conflicts(['since']),
  )
  .addOption(
    new Option(
      '--since <rfc3339>',
      'from the first message the broker stored at or after this instant',
    ).argParser(instant('--since')),
  )
  .addOption(new Option('--format <format>', 'output').choices(['json', 'table']).default('json'))
  .option('--follow', 'keep printing new messages until Ctrl-C', false)
  .option('--dead-letters', 'replay the dead-letter topic instead', false)
  .option('--topic <name>', 'topic to read (default: EMAIL_SENT_TOPIC, or EMAIL_DEAD_LETTER_TOPIC)')
  .action(
    (options: {
      fromBeginning?: boolean;
      offset?: Record<number, string>;
      since?: Date;
      format: 'json' | 'table';
      follow: boolean;
      deadLetters: boolean;
      topic?: string;
    }) => {
      const start: ReplayStart | undefined = options.fromBeginning
        ? { kind: 'beginning' }
        : options.offset
          ? { kind: 'offsets', offsets: options.offset }
          : options.since
            ? { kind: 'since', at: options.since }
            : undefined;
      if (!start)
        return replayCommandLine.error('replay: give one of --from-beginning, --offset or --since');
      return run({ token: false, server: false }, (ctx) =>
        replayCommand(ctx, { ...options, start }, abort.signal),
      );
    },
  );

rangeCommand(
  'backfill',
  "read [--from, --to) of the report again and publish only the keys not published yet; stops at the checkpoint's settledBefore (the poller reads from there)",
)
  .option(
    '--max-requests <n>',
    'spend at most this many API requests (default: no cap beyond WOLKVOX_DAILY_QUOTA)',
    positiveInt,
  )
  .option('--json', 'print the summary as one JSON object')
  .option('--no-progress', 'no progress bar')
  .action(
    (options: { from: Date; to: Date; maxRequests?: number; json?: boolean; progress: boolean }) =>
      run({ token: true, server: true }, (ctx) => backfillCommand(ctx, options, abort.signal)),
  );

function parseOffsetsOption(value: string): Record<number, string> {
  try {
    return parseOffsets(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

await program.parseAsync(process.argv);
