import {
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  limitAfterRefusal,
  MIN_MESSAGE_LIMIT,
  startLimit,
} from './message-limits.js';

const EIGHT_MIB = 8 * 1024 * 1024;

describe('the largest message the poller sends to a topic', () => {
  it('is the smaller of EVENTS_MAX_MESSAGE_BYTES and the topic limit described at start', () => {
    expect(startLimit(EIGHT_MIB, KAFKA_DEFAULT_MAX_MESSAGE_BYTES)).toBe(1_048_588);
    expect(startLimit(EIGHT_MIB, 16 * 1024 * 1024)).toBe(EIGHT_MIB);
    expect(startLimit(EIGHT_MIB, undefined)).toBe(EIGHT_MIB);
  });

  it("falls to the broker's default at the first refusal, then halves, never below the floor", () => {
    const steps: number[] = [];
    for (let limit: number | undefined = EIGHT_MIB; limit !== undefined;)
      steps.push((limit = limitAfterRefusal(limit)) ?? 0);
    expect(steps).toEqual([1_048_588, 524_294, 262_147, 131_073, 0]);
    expect(limitAfterRefusal(KAFKA_DEFAULT_MAX_MESSAGE_BYTES + 1)).toBe(1_048_588);
    expect(limitAfterRefusal(MIN_MESSAGE_LIMIT * 2 - 1)).toBeUndefined();
  });
});
