import { parseWallTime, type WallSeconds } from '@app/contracts';
import type { CallReport } from '@app/wolkvox-client';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import type { BudgetSnapshot } from '../ports/email-source.port.js';
import { FencedError } from '../ports/event-publisher.port.js';
import { PollerMetrics } from './poller-metrics.js';

const t = (s: string): WallSeconds => parseWallTime(s)!;
const window = { from: t('2026-03-01 10:00:00'), to: t('2026-03-01 10:59:59') };

function rig() {
  const state = {
    budget: {
      day: '2026-03-01',
      used: 7,
      limit: undefined,
      remaining: undefined,
      resetsAt: 0,
    } as BudgetSnapshot,
    cursor: undefined as WallSeconds | undefined,
    lastGoodPollAt: undefined as Date | undefined,
    fenced: false,
  };
  const registry = new PollerMetrics({ defaultMetrics: false });
  const metrics = registry.forOperation('0010', {
    budget: () => state.budget,
    cursor: () => state.cursor,
    nowWall: () => t('2026-03-01 11:00:00'),
    lastGoodPollAt: () => state.lastGoodPollAt,
    fenced: () => state.fenced,
  });
  /** The sample lines of the exposition, without HELP and TYPE. */
  const samples = async () =>
    (await registry.text()).split('\n').filter((line) => line && !line.startsWith('#'));
  return { state, metrics, registry, samples };
}

const call = (result: CallReport['result'], httpStatus?: number, returned = 0): CallReport => ({
  window,
  attempt: 1,
  httpStatus,
  result,
  returned,
  durationMs: 120,
  detail: result === 'token-rejected' ? 'FORBIDDEN: PLEASE VALIDATE TOKEN' : undefined,
});
const cycle = (outcome: CycleOutcome) => ({ outcome, durationMs: 1500, at: new Date() });

describe('PollerMetrics', () => {
  it('counts API calls by outcome and status, and the records they returned', async () => {
    const { metrics, samples } = rig();
    metrics.recordCall(call('data', 200, 40));
    metrics.recordCall(call('data', 200, 2));
    metrics.recordCall(call('empty', 404));
    metrics.recordCall(call('network-error'));
    metrics.recordCall(call('token-rejected', 403));
    const lines = await samples();
    expect(lines).toEqual(
      expect.arrayContaining([
        'wolkvox_poller_api_calls_total{outcome="data",status="200",operation="0010"} 2',
        'wolkvox_poller_api_calls_total{outcome="empty",status="404",operation="0010"} 1',
        'wolkvox_poller_api_calls_total{outcome="network-error",status="none",operation="0010"} 1',
        'wolkvox_poller_api_calls_total{outcome="token-rejected",status="403",operation="0010"} 1',
        'wolkvox_poller_records_fetched_total{operation="0010"} 42',
        'wolkvox_poller_api_call_duration_seconds_count{operation="0010"} 5',
      ]),
    );
    // Messages never become labels.
    expect(lines.join('\n')).not.toContain('VALIDATE');
  });

  it('counts what cycles published, skipped and split, and cycles by outcome', async () => {
    const { metrics, samples } = rig();
    metrics.recordCycle(
      cycle({
        kind: 'published',
        window,
        fetched: 12,
        events: 9,
        deadLetters: 1,
        duplicates: 2,
        oversize: 0,
        outOfWindow: 0,
        overflowingSecond: false,
        notFound: false,
        lagSeconds: 5,
      }),
    );
    metrics.recordCycle(cycle({ kind: 'split', window, retry: window, reason: 'truncated' }));
    metrics.recordCycle(
      cycle({ kind: 'source-failed', window, outcome: { kind: 'token-rejected', message: 'x' } }),
    );
    metrics.recordCycle(cycle({ kind: 'fenced', error: new FencedError('taken over') }));
    expect(await samples()).toEqual(
      expect.arrayContaining([
        'wolkvox_poller_events_published_total{operation="0010"} 9',
        'wolkvox_poller_dead_letters_total{operation="0010"} 1',
        'wolkvox_poller_duplicates_skipped_total{operation="0010"} 2',
        'wolkvox_poller_window_splits_total{reason="truncated",operation="0010"} 1',
        'wolkvox_poller_cycles_total{outcome="published",reason="",operation="0010"} 1',
        'wolkvox_poller_cycles_total{outcome="split",reason="truncated",operation="0010"} 1',
        'wolkvox_poller_cycles_total{outcome="source-failed",reason="token-rejected",operation="0010"} 1',
        'wolkvox_poller_cycles_total{outcome="fenced",reason="",operation="0010"} 1',
        'wolkvox_poller_cycle_duration_seconds_count{operation="0010"} 4',
        'wolkvox_poller_cycle_duration_seconds_sum{operation="0010"} 6',
      ]),
    );
  });

  it('counts a one-second window that still held the cut', async () => {
    const { metrics, samples } = rig();
    expect(await samples()).toContain(
      'wolkvox_poller_overflowing_seconds_total{operation="0010"} 0',
    );
    metrics.recordCycle(
      cycle({
        kind: 'published',
        window: { from: window.from, to: window.from },
        fetched: 60_000,
        events: 60_000,
        deadLetters: 0,
        duplicates: 0,
        oversize: 0,
        outOfWindow: 0,
        overflowingSecond: true,
        notFound: false,
        lagSeconds: 5,
      }),
    );
    expect(await samples()).toContain(
      'wolkvox_poller_overflowing_seconds_total{operation="0010"} 1',
    );
  });

  it('has the refusals and splits alerts watch at 0 before the first one, so increase() sees it', async () => {
    const { metrics, samples } = rig();
    expect(await samples()).toEqual(
      expect.arrayContaining([
        'wolkvox_poller_window_splits_total{reason="truncated",operation="0010"} 0',
        'wolkvox_poller_window_splits_total{reason="timed-out",operation="0010"} 0',
        'wolkvox_poller_api_calls_total{outcome="token-rejected",status="403",operation="0010"} 0',
        'wolkvox_poller_api_calls_total{outcome="budget-exhausted",status="403",operation="0010"} 0',
      ]),
    );
    metrics.recordCall(call('token-rejected', 403));
    expect(await samples()).toContain(
      'wolkvox_poller_api_calls_total{outcome="token-rejected",status="403",operation="0010"} 1',
    );
  });

  it('counts new values read from secret files, from 0 for each file configured', async () => {
    const { metrics, samples } = rig();
    metrics.trackSecretFile('WOLKVOX_TOKEN_FILE');
    metrics.trackSecretFile('KAFKA_SASL_PASSWORD_FILE');
    metrics.recordSecretChange('WOLKVOX_TOKEN_FILE');
    const lines = (await samples()).filter((line) => line.includes('secret_changes_total'));
    expect(lines).toEqual([
      'wolkvox_poller_secret_changes_total{variable="WOLKVOX_TOKEN_FILE",operation="0010"} 1',
      'wolkvox_poller_secret_changes_total{variable="KAFKA_SASL_PASSWORD_FILE",operation="0010"} 0',
    ]);
  });

  it('reads budget, lag, last good poll and fencing when scraped; unknown values are absent', async () => {
    const { state, samples } = rig();
    let lines = await samples();
    expect(lines).toContain('wolkvox_poller_budget_used_requests{operation="0010"} 7');
    expect(lines).toContain('wolkvox_poller_fenced{operation="0010"} 0');
    for (const absent of ['budget_remaining', 'budget_limit', 'checkpoint_lag', 'last_good_poll'])
      expect(lines.join('\n')).not.toContain(`wolkvox_poller_${absent}`);

    state.budget = { ...state.budget, used: 8, limit: 100, remaining: 92 };
    state.cursor = t('2026-03-01 10:58:20');
    state.lastGoodPollAt = new Date('2026-03-01T15:59:00Z');
    state.fenced = true;
    lines = await samples();
    expect(lines).toEqual(
      expect.arrayContaining([
        'wolkvox_poller_budget_used_requests{operation="0010"} 8',
        'wolkvox_poller_budget_remaining_requests{operation="0010"} 92',
        'wolkvox_poller_budget_limit_requests{operation="0010"} 100',
        'wolkvox_poller_checkpoint_lag_seconds{operation="0010"} 100',
        `wolkvox_poller_last_good_poll_timestamp_seconds{operation="0010"} ${Date.parse('2026-03-01T15:59:00Z') / 1000}`,
        'wolkvox_poller_fenced{operation="0010"} 1',
      ]),
    );
  });

  it('shows readiness as the probe sees it, asking once per scrape', async () => {
    let answer = { ready: true, indicators: { checkpoint: true, kafka: true, wolkvox: true } };
    let asked = 0;
    const metrics = new PollerMetrics({ defaultMetrics: false });
    metrics.trackReadiness(() => {
      asked += 1;
      return Promise.resolve([{ operation: '0010', ...answer }]);
    });
    const readinessLines = async () =>
      (await metrics.text())
        .split('\n')
        .filter((line) => /^wolkvox_poller_(ready|health_indicator_up)/.test(line));
    expect(await readinessLines()).toEqual([
      'wolkvox_poller_ready{operation="0010"} 1',
      'wolkvox_poller_health_indicator_up{indicator="checkpoint",operation="0010"} 1',
      'wolkvox_poller_health_indicator_up{indicator="kafka",operation="0010"} 1',
      'wolkvox_poller_health_indicator_up{indicator="wolkvox",operation="0010"} 1',
    ]);
    expect(asked).toBe(1);
    answer = { ready: false, indicators: { checkpoint: true, kafka: false, wolkvox: true } };
    await new Promise((resolve) => setImmediate(resolve));
    expect(await readinessLines()).toEqual([
      'wolkvox_poller_ready{operation="0010"} 0',
      'wolkvox_poller_health_indicator_up{indicator="checkpoint",operation="0010"} 1',
      'wolkvox_poller_health_indicator_up{indicator="kafka",operation="0010"} 0',
      'wolkvox_poller_health_indicator_up{indicator="wolkvox",operation="0010"} 1',
    ]);
    expect(asked).toBe(2);
  });

  it('has no readiness gauges without a readiness source', async () => {
    const { samples } = rig();
    expect((await samples()).join('\n')).not.toMatch(/_ready|health_indicator/);
  });

  it('serves the Prometheus text format, default process metrics included when asked', async () => {
    const metrics = new PollerMetrics();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('keeps two operations apart, each under its own label, and drops a closed one from the gauges', async () => {
    const registry = new PollerMetrics({ defaultMetrics: false });
    const sources = (used: number) => ({
      budget: () => ({ day: 'd', used, limit: undefined, remaining: undefined, resetsAt: 0 }),
      cursor: () => undefined,
      nowWall: () => 0,
      lastGoodPollAt: () => undefined,
      fenced: () => false,
    });
    const first = registry.forOperation('0010', sources(3));
    const second = registry.forOperation('0020', sources(5));
    first.recordCall(call('data', 200, 4));
    expect(() => registry.forOperation('0010', sources(0))).toThrow(/already registered/);
    const lines = async () =>
      (await registry.text())
        .split('\n')
        .filter((line) => /^wolkvox_poller_(budget_used|records_fetched)/.test(line));
    expect(await lines()).toEqual([
      'wolkvox_poller_records_fetched_total{operation="0010"} 4',
      'wolkvox_poller_budget_used_requests{operation="0010"} 3',
      'wolkvox_poller_budget_used_requests{operation="0020"} 5',
    ]);
    second.close();
    expect(await lines()).toEqual([
      'wolkvox_poller_records_fetched_total{operation="0010"} 4',
      'wolkvox_poller_budget_used_requests{operation="0010"} 3',
    ]);
  });
});
