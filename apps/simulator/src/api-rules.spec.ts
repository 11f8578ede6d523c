import { parseQueryTime } from '@app/contracts';
import {
  checkToken,
  EMPTY_WINDOW,
  envelopeCode,
  MISSING_PARAMS,
  MISSING_TOKEN,
  RANGE_TOO_LONG,
  readWindow,
  UNKNOWN_API,
  WRONG_TOKEN,
} from './api-rules.js';

describe('checkToken', () => {
  it('answers 401 without a token and 403 for a wrong one', () => {
    expect(checkToken(undefined, 't')).toBe(MISSING_TOKEN);
    expect(checkToken('', 't')).toBe(MISSING_TOKEN);
    expect(checkToken('x', 't')).toBe(WRONG_TOKEN);
    expect(checkToken('t', 't')).toBeUndefined();
    expect(MISSING_TOKEN.status).toBe(401);
    expect(WRONG_TOKEN).toMatchObject({ status: 403, msg: 'PLEASE VALIDATE TOKEN' });
  });
});

describe('readWindow', () => {
  const ini = '20260301000000';
  it('reads an inclusive window of wall seconds', () => {
    expect(readWindow({ api: 'cdr_9', date_ini: ini, date_end: '20260301000059' })).toEqual({
      from: parseQueryTime(ini),
      to: parseQueryTime(ini)! + 59,
    });
  });

  it('refuses a missing or unknown report, and missing or malformed dates', () => {
    expect(readWindow({ date_ini: ini, date_end: ini })).toBe(MISSING_PARAMS);
    expect(readWindow({ api: 'cdr_1', date_ini: ini, date_end: ini })).toBe(UNKNOWN_API);
    expect(readWindow({ api: 'cdr_9', date_ini: ini })).toBe(MISSING_PARAMS);
    expect(readWindow({ api: 'cdr_9', date_ini: '20260230000000', date_end: ini })).toBe(
      MISSING_PARAMS,
    );
  });

  it('allows exactly 31 days and refuses a second more', () => {
    expect(
      readWindow({ api: 'cdr_9', date_ini: ini, date_end: '20260401000000' }),
    ).not.toHaveProperty('status');
    expect(readWindow({ api: 'cdr_9', date_ini: ini, date_end: '20260401000001' })).toBe(
      RANGE_TOO_LONG,
    );
  });

  it('answers a window that ends before it starts as empty', () => {
    expect(readWindow({ api: 'cdr_9', date_ini: '20260301000001', date_end: ini })).toBe(
      EMPTY_WINDOW,
    );
  });
});

describe('envelopeCode', () => {
  it('sends the status as a number, a string, or either', () => {
    expect(envelopeCode(200, 'number', 0.9)).toBe(200);
    expect(envelopeCode(200, 'string', 0.1)).toBe('200');
    expect(envelopeCode(404, 'mixed', 0.1)).toBe(404);
    expect(envelopeCode(404, 'mixed', 0.9)).toBe('404');
  });

  it('answers success with 0 or "0" in the zero style, errors with their status', () => {
    expect(envelopeCode(200, 'zero', 0.1)).toBe(0);
    expect(envelopeCode(200, 'zero', 0.9)).toBe('0');
    expect(envelopeCode(404, 'zero', 0.1)).toBe(404);
  });
});
