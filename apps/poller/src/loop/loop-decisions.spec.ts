import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { FencedError } from '../ports/event-publisher.port.js';
import {
  afterOutcome,
  crashBackoffMs,
  idleHeartbeatDue,
  INITIAL_LOOP_STATE,
  pollDue,
  pollNowForNewToken,
  pollWaitMs,
  reconcileTurnDue,
  sleepAfterPollMs,
  sleepBetweenPollsMs,
  tokenRereadDue,
} from './loop-decisions.js';

const window = { from: 0, to: 59 };
const refused: CycleOutcome = {
  kind: 'source-failed',
  window,
  outcome: { kind: 'token-rejected', message: 'PLEASE VALIDATE TOKEN' },
};
const unavailable: CycleOutcome = {
  kind: 'source-failed',
  window,
  outcome: { kind: 'unavailable', attempts: 4, lastError: '503' },
};
const caughtUp: CycleOutcome = { kind: 'caught-up', lagSeconds: 0 };
const kafkaDown: CycleOutcome = { kind: 'publish-failed', window, error: new Error('down') };
const leaseMs = 30_000;

describe('loop decisions', () => {
  it('counts failures in a row, and a good cycle ends them', () => {
    let state = afterOutcome(INITIAL_LOOP_STATE, unavailable);
    state = afterOutcome(state, kafkaDown);
    expect(state.failures).toBe(2);
    expect(state.sourceFailing).toBe(true);
    state = afterOutcome(state, caughtUp);
    expect(state).toMatchObject({ failures: 0, sourceFailing: false });
  });

  it('reads the token file before the first call after a refusal, until the API answers otherwise', () => {
    let state = afterOutcome(INITIAL_LOOP_STATE, refused);
    expect(tokenRereadDue(state)).toBe(true);
    expect(pollNowForNewToken(state)).toBe(true);
    // Kafka's failure says nothing of the token.
    state = afterOutcome(state, kafkaDown);
    expect(tokenRereadDue(state)).toBe(true);
    expect(tokenRereadDue(afterOutcome(state, unavailable))).toBe(false);
    expect(tokenRereadDue(afterOutcome(state, caughtUp))).toBe(false);
    expect(pollNowForNewToken(INITIAL_LOOP_STATE)).toBe(false);
  });

  it('tries a token that changed during the refused call at once, else waits as decided', () => {
    expect(pollWaitMs(refused, 900_000, true)).toBe(0);
    expect(pollWaitMs(refused, 900_000, false)).toBe(900_000);
    expect(pollWaitMs(caughtUp, 60_000, true)).toBe(60_000);
  });

  it('backs off a crashed cycle by doubling, a minute at most', () => {
    expect([1, 2, 3, 10].map(crashBackoffMs)).toEqual([2000, 4000, 8000, 60_000]);
  });

  it('gives the reconciliation a turn only while this instance holds the operation', () => {
    const view = { reconcileEnabled: true, loaded: true };
    expect(reconcileTurnDue(INITIAL_LOOP_STATE, view)).toBe(true);
    expect(reconcileTurnDue(INITIAL_LOOP_STATE, { ...view, loaded: false })).toBe(false);
    expect(reconcileTurnDue(INITIAL_LOOP_STATE, { ...view, reconcileEnabled: false })).toBe(false);
    expect(reconcileTurnDue(afterOutcome(INITIAL_LOOP_STATE, refused), view)).toBe(false);
    const fenced = afterOutcome(INITIAL_LOOP_STATE, {
      kind: 'fenced',
      error: new FencedError('taken over'),
    });
    expect(reconcileTurnDue(fenced, view)).toBe(false);
  });

  it('polls when due; between polls, heartbeats every third of the lease', () => {
    const state = { ...INITIAL_LOOP_STATE, nextPollAt: 60_000, lastHeartbeatAt: 0 };
    expect(pollDue(state, 59_999)).toBe(false);
    expect(pollDue(state, 60_000)).toBe(true);
    expect(idleHeartbeatDue(state, 9_999, leaseMs)).toBe(false);
    expect(idleHeartbeatDue(state, 10_000, leaseMs)).toBe(true);
  });

  it('sleeps after a poll until the next heartbeat, or not at all when the reconciliation may use the wait', () => {
    expect(sleepAfterPollMs(60_000, { leaseMs, reconcileEnabled: false })).toBe(10_000);
    expect(sleepAfterPollMs(2_000, { leaseMs, reconcileEnabled: false })).toBe(2_000);
    expect(sleepAfterPollMs(60_000, { leaseMs, reconcileEnabled: true })).toBe(0);
    expect(sleepAfterPollMs(0, { leaseMs, reconcileEnabled: true })).toBe(0);
  });

  it('sleeps between polls until the poll or the heartbeat, and not while the reconciliation has more', () => {
    const state = { ...INITIAL_LOOP_STATE, nextPollAt: 60_000, lastHeartbeatAt: 50_000 };
    expect(sleepBetweenPollsMs(state, 52_000, { leaseMs, reconcileMore: false })).toBe(8_000);
    expect(sleepBetweenPollsMs(state, 45_000, { leaseMs, reconcileMore: false })).toBe(15_000);
    expect(sleepBetweenPollsMs(state, 45_000, { leaseMs, reconcileMore: true })).toBe(0);
    expect(
      sleepBetweenPollsMs({ ...state, nextPollAt: 0 }, 52_000, { leaseMs, reconcileMore: false }),
    ).toBe(0);
  });
});
