import { callWindowFor, provenBounds, UNPROVEN_BOUNDS } from './call-bounds.js';
import { planWindow } from './window-planner.js';

const DAY = 86_400;

describe('callWindowFor', () => {
  const window = { from: 100, to: 200 };

  it('reads every second of the window under each reading of the bounds', () => {
    const call = callWindowFor(window);
    const readings = {
      inclusive: [call.from, call.to],
      'end-exclusive': [call.from, call.to - 1],
      'start-exclusive': [call.from + 1, call.to],
      exclusive: [call.from + 1, call.to - 1],
    };
    for (const [from, to] of Object.values(readings)) {
      expect(from).toBeLessThanOrEqual(window.from);
      expect(to).toBeGreaterThanOrEqual(window.to);
    }
  });

  it('asks for a proven inclusive side exactly', () => {
    expect(callWindowFor(window, { start: true, end: false })).toEqual({ from: 100, to: 201 });
    expect(callWindowFor(window, { start: false, end: true })).toEqual({ from: 99, to: 200 });
    expect(callWindowFor(window, { start: true, end: true })).toEqual(window);
  });

  it('never asks for more than 31 days, the widest window widened', () => {
    const widest = planWindow(0, 100 * DAY, undefined)!;
    const call = callWindowFor(widest);
    expect(call.to - call.from).toBe(31 * DAY - 1);
  });
});

describe('provenBounds', () => {
  const call = { from: 99, to: 201 };

  it('learns a side is inclusive from a record dated exactly at it', () => {
    expect(provenBounds(call, [150, 160], UNPROVEN_BOUNDS)).toBe(UNPROVEN_BOUNDS);
    expect(provenBounds(call, [150, 201], UNPROVEN_BOUNDS)).toEqual({ start: false, end: true });
    expect(provenBounds(call, [99, 150], { start: false, end: true })).toEqual({
      start: true,
      end: true,
    });
  });

  it('never unlearns', () => {
    const proven = { start: true, end: false };
    expect(provenBounds(call, [], proven)).toBe(proven);
  });
});
