import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wallTimeOf } from '@app/contracts';
import { PollerProcess } from './support/poller-process.js';
import { isolatedEnv, logged, pollerEnv, ZONE } from './support/reliability.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';

/** The bin directory of Node `major`, installed by scripts/ci/node.sh when missing. */
function nodeOf(major: string): string {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'ci', 'node.sh');
  const bin = execFileSync('bash', [script, major], { encoding: 'utf8', timeout: 240_000 }).trim();
  return join(bin.split('\n').pop()!, 'node');
}

/** The lines of `text` that are not JSON objects. */
function notJson(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .filter((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return typeof parsed !== 'object' || parsed === null;
      } catch {
        return true;
      }
    });
}

/**
 * README "Logs": the poller writes JSON lines and nothing else, on stdout and on stderr, also on
 * the Node releases whose timers warn about kafkajs's negative timeouts (Node 24 and later: the
 * image runs 26); the lines written for the operation carry its `operation`.
 */
describe('the poller writes only JSON lines', () => {
  let simulator: TestSimulator;

  beforeAll(async () => {
    const end = wallTimeOf(new Date(), ZONE);
    simulator = await startTestSimulator({
      seed: 'json-output',
      generation: { from: end - 600, to: end - 1, emailsPerHour: 600, lateRate: 0 },
    });
  }, 60_000);

  afterAll(async () => {
    await simulator?.close();
  });

  it.each(['22', '26'])(
    'on Node %s, from start to stop',
    async (major) => {
      const operation = isolatedEnv(`json-${major}`);
      const poller = await PollerProcess.start(
        pollerEnv(simulator, operation, {
          POLL_START_AT: new Date(Date.now() - 660_000).toISOString(),
          POLL_INTERVAL_SECONDS: '1',
          LOG_LEVEL: 'info',
        }),
        { node: nodeOf(major) },
      );
      try {
        await poller.waitForReady(200, 120_000);
        await poller.waitFor(
          () => Promise.resolve(logged(poller, 'published window').length > 0),
          60_000,
          'a published window',
        );
      } finally {
        await poller.stop();
      }
      expect(notJson(poller.stdout)).toEqual([]);
      expect(notJson(poller.stderr)).toEqual([]);
      // What is written for the operation names it (its loop, its topics, its stop); what the
      // process writes for itself does not.
      const lines = poller.logLines();
      const byContext = (context: string) => lines.filter((line) => line.context === context);
      const ours = [...byContext('Poller'), ...byContext('Topics')];
      expect(ours.length).toBeGreaterThan(0);
      expect(new Set(ours.map((line) => line.operation))).toEqual(
        new Set([operation.WOLKVOX_SERVER]),
      );
      const config = byContext('Config');
      expect(config.length).toBeGreaterThan(0);
      expect(config.filter((line) => line.operation !== undefined)).toEqual([]);
    },
    300_000,
  );
});
