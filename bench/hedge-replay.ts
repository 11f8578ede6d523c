/**
 * `npm run bench:hedges`: what the hedges of the API's open points cost in calls, and what they
 * save in records, on the ground truth of workload (c) (a 31-day backfill with two campaigns).
 * The poller's planner is replayed offline (planner-replay.ts) under each reading of the bounds
 * and each response order the simulator can play, with and without the widened calls; no broker
 * and no HTTP, so it runs in seconds. Prints one table; BENCHMARKS.md quotes it.
 */
import { wallTimeOf } from '@app/contracts';
import { generateRecords } from '../apps/simulator/src/data-generator.js';
import { BOUNDS_MODES, RECORD_ORDERS } from '../apps/simulator/src/record-store.js';
import { resolveOptions } from '../apps/simulator/src/simulator-options.js';
import { optionsFromEnv } from '../apps/simulator/src/simulator-env.js';
import { ZoneClock } from '../apps/simulator/src/zone-clock.js';
import { fewestCalls } from './fewest-calls.js';
import { replayPlanner } from './planner-replay.js';
import { workload, ZONE } from './workloads.js';

const now = new Date();
const spec = workload('c', now);
const options = resolveOptions(optionsFromEnv(spec.simulatorEnv, now));
const stored = generateRecords(options.generation!, options.seed, new ZoneClock(ZONE, () => now));
const all = stored.map((r) => r.wall).sort((a, b) => a - b);
const valid = stored
  .filter((r) => r.valid)
  .map((r) => r.wall)
  .sort((a, b) => a - b);
const from = wallTimeOf(spec.startAt, ZONE);
const end = wallTimeOf(now, ZONE) - 60;

const rows: string[][] = [];
for (const bounds of BOUNDS_MODES)
  for (const order of RECORD_ORDERS)
    for (const hedged of [false, true]) {
      const { calls, missed } = replayPlanner({ all, valid }, from, end, { bounds, order, hedged });
      rows.push([
        bounds,
        order,
        hedged ? 'yes' : 'no',
        String(calls.length),
        String(calls.filter((c) => c.cut).length),
        missed.toLocaleString('en-US'),
      ]);
    }

const head = ['bounds', 'order', 'calls widened', 'calls', 'of them cut', 'records missed'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
process.stdout.write(
  [
    `${spec.title}: ${all.length.toLocaleString('en-US')} records; the fewest calls the limits allow: ${fewestCalls(all, from, end)}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ].join('\n'),
);
