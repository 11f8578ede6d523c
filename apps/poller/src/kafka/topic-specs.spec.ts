import { configFromEnv as config } from '../config/__tests__/config-from-env.js';
import { topicSpecs } from './topic-specs.js';

const byTopic = (specs: ReturnType<typeof topicSpecs>) =>
  Object.fromEntries(specs.map((spec) => [spec.topic, spec]));

describe('topicSpecs', () => {
  it('creates the events and dead-letter topics with their own retention.ms', () => {
    const specs = byTopic(
      topicSpecs(
        config({
          EMAIL_SENT_TOPIC: 'ev',
          EMAIL_DEAD_LETTER_TOPIC: 'dl',
          POLLER_PROGRESS_TOPIC: 'pr',
          EVENTS_RETENTION_MS: '-1',
          DEAD_LETTER_RETENTION_MS: '86400000',
        }),
      ),
    );
    expect(specs.ev.config).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': '-1' });
    expect(specs.dl.config).toMatchObject({
      'cleanup.policy': 'delete',
      'retention.ms': '86400000',
    });
    // The checkpoint is compacted, never deleted by time: retention does not apply to it.
    expect(specs.pr.config['cleanup.policy']).toBe('compact');
    expect(specs.pr.config).not.toHaveProperty('retention.ms');
  });

  it('states the documented defaults (90 and 30 days) rather than leaving them to the broker', () => {
    const [events, deadLetters] = topicSpecs(config());
    expect(events.config['retention.ms']).toBe(String(90 * 86_400_000));
    expect(deadLetters.config['retention.ms']).toBe(String(30 * 86_400_000));
  });
});
