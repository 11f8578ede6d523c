import { afterPublishFailure, MAX_PUBLISH_FAILURES } from './publish-retry.js';

describe('afterPublishFailure', () => {
  it('waits twice as long after each failure in a row, within equal jitter', () => {
    expect(afterPublishFailure(1, 0)).toEqual({ kind: 'retry', inMs: 1000 });
    expect(afterPublishFailure(1, 1)).toEqual({ kind: 'retry', inMs: 2000 });
    expect(afterPublishFailure(2, 0)).toEqual({ kind: 'retry', inMs: 2000 });
    expect(afterPublishFailure(3, 1)).toEqual({ kind: 'retry', inMs: 8000 });
  });

  it('gives up at the fourth failure in a row', () => {
    expect(MAX_PUBLISH_FAILURES).toBe(4);
    expect(afterPublishFailure(3, 0.5).kind).toBe('retry');
    expect(afterPublishFailure(4, 0.5)).toEqual({ kind: 'give-up' });
  });
});
