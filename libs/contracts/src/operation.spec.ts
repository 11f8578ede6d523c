import { OperationSchema, emailSentSource } from './operation.js';
import { DEFAULT_TOPICS, TOPIC_CLEANUP_POLICIES } from './topics.js';

describe('operation', () => {
  it('names the operation and report in the source', () => {
    expect(emailSentSource('0010')).toBe('wolkvox://wv0010/reports/cdr_9');
  });

  it('accepts a server code and an IANA zone', () => {
    expect(OperationSchema.parse({ server: '0010', timeZone: 'America/Bogota' })).toEqual({
      server: '0010',
      timeZone: 'America/Bogota',
    });
  });

  it.each([
    [{ server: 'wv0010.wolkvox.com', timeZone: 'America/Bogota' }, /server: must be letters/],
    [{ server: '', timeZone: 'America/Bogota' }, /server: must be letters/],
    [{ server: '0010', timeZone: 'GMT-5 Bogota' }, /timeZone: must be an IANA time zone/],
  ])('rejects %j', (operation, message) => {
    const result = OperationSchema.safeParse(operation);
    const issues = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues?.join('; ')).toMatch(message);
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
