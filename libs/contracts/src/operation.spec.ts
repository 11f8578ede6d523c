import { emailSentSource } from './operation.js';
import { DEFAULT_TOPICS, TOPIC_CLEANUP_POLICIES } from './topics.js';

describe('operation', () => {
  it('names the operation and report in the source', () => {
    expect(emailSentSource('0010')).toBe('wolkvox://wv0010/reports/cdr_9');
  });
});

describe('topics', () => {
  it('keeps events and dead letters as history and compacts progress', () => {
    expect(DEFAULT_TOPICS).toEqual({
      events: 'wolkvox.email.sent.v1',
      deadLetters: 'wolkvox.email.sent.dlq.v1',
      progress: 'wolkvox.poller.progress.v1',
    });
    expect(TOPIC_CLEANUP_POLICIES).toEqual({
      events: 'delete',
      deadLetters: 'delete',
      progress: 'compact',
    });
    expect(Object.isFrozen(DEFAULT_TOPICS)).toBe(true);
  });
});
