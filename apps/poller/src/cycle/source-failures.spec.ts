import { parseWallTime } from '@app/contracts';
import type { SourceFailure } from '@app/wolkvox-client';
import { tokenFileDouble } from '../config/__tests__/token-file-double.js';
import { RotatingSecret } from '../config/rotating-secret.js';
import {
  describeSourceFailure,
  describeSourceFailureForRun,
  isBudgetSpent,
  sourceFailureConsequence,
  sourceFailureWaitMs,
  sourceReadiness,
  tokenRefusedMessage,
} from './source-failures.js';

const midnight = parseWallTime('2026-03-02 00:00:00')!;
const failures: Record<SourceFailure['kind'], SourceFailure> = {
  'timed-out': { kind: 'timed-out' },
  'token-rejected': { kind: 'token-rejected', message: 'FORBIDDEN: PLEASE VALIDATE TOKEN' },
  'budget-exhausted': { kind: 'budget-exhausted', resetsAt: midnight, source: 'api' },
  misconfigured: { kind: 'misconfigured', status: 400, message: 'unknown report' },
  unavailable: { kind: 'unavailable', attempts: 4, lastError: 'HTTP 503: maintenance' },
};
const localBudget: SourceFailure = {
  kind: 'budget-exhausted',
  resetsAt: midnight,
  source: 'local',
};
const token = RotatingSecret.fixed('WOLKVOX_TOKEN', 'tok');

describe('source failures', () => {
  it('describes each kind in one line for an operator', () => {
    expect(Object.values(failures).map(describeSourceFailure)).toEqual([
      'a single second timed out at the API',
      'the token was refused (FORBIDDEN: PLEASE VALIDATE TOKEN)',
      'the daily request budget is spent (the API said so) until 2026-03-02 00:00:00 local',
      'HTTP 400 unknown report: check WOLKVOX_SERVER, WOLKVOX_BASE_URL and the token',
      'unavailable after 4 attempts (HTTP 503: maintenance)',
    ]);
    expect(describeSourceFailure(localBudget)).toBe(
      'the daily request budget is spent (the local quota) until 2026-03-02 00:00:00 local',
    );
  });

  it('tells a CLI run that its own budget is spent, and everything else as the service does', () => {
    expect(describeSourceFailureForRun(localBudget)).toBe(
      'the request budget of this run (--max-requests, or WOLKVOX_DAILY_QUOTA) is spent',
    );
    for (const failure of Object.values(failures))
      expect(describeSourceFailureForRun(failure)).toBe(describeSourceFailure(failure));
  });

  it('says that calls stop after a refused token, and that only a spent budget is one', () => {
    expect(Object.values(failures).map(sourceFailureConsequence)).toEqual([
      undefined,
      'calls stop until the token is tried again',
      undefined,
      undefined,
      undefined,
    ]);
    expect(Object.values(failures).map(isBudgetSpent)).toEqual([false, false, true, false, false]);
    expect(isBudgetSpent(localBudget)).toBe(true);
  });

  it('makes readiness down when no retry helps, degraded while the API fails transiently', () => {
    const readiness = (failure: SourceFailure) => {
      const { status, message, showsBudget } = sourceReadiness(failure, token);
      return [status, message, showsBudget];
    };
    expect(Object.values(failures).map(readiness)).toEqual([
      [
        'degraded',
        'the API is unavailable (the API timed out on a single second); retrying with backoff',
        false,
      ],
      ['down', tokenRefusedMessage(token), false],
      [
        'down',
        "the daily request budget is spent: calls resume at 2026-03-02 00:00:00 (operation's local time)",
        true,
      ],
      [
        'down',
        'Wolkvox answered HTTP 400: check WOLKVOX_SERVER, WOLKVOX_BASE_URL and the token',
        false,
      ],
      ['degraded', 'the API is unavailable (HTTP 503: maintenance); retrying with backoff', false],
    ]);
  });

  it('waits for the next local day, the token retry, or the backoff from 5 s', () => {
    const context = {
      nowWall: midnight - 100,
      tokenRetryMs: 900_000,
      backoffMs: (ms: number) => -ms,
    };
    expect(Object.values(failures).map((f) => sourceFailureWaitMs(f, context))).toEqual([
      -5000, 900_000, 105_000, 900_000, -5000,
    ]);
    expect(sourceFailureWaitMs(localBudget, { ...context, nowWall: midnight + 60 })).toBe(1000);
  });

  it('says how to replace a refused token: in its file, or by a restart when given as a value', () => {
    expect(tokenRefusedMessage(RotatingSecret.fixed('WOLKVOX_TOKEN', 'tok'))).toMatch(
      /WOLKVOX_TOKEN cannot change while the poller runs: .*restart.*WOLKVOX_TOKEN_FILE/,
    );
    const { file, secret } = tokenFileDouble('tok-a');
    expect(tokenRefusedMessage(secret)).toContain('put the new token in /s/token');
    file.content = '';
    secret.reread();
    expect(tokenRefusedMessage(secret)).toContain('the last read failed: /s/token is empty');
  });
});
