import { logLevel } from 'kafkajs';
import { kafkaLevel } from './kafka-log-creator.js';

const at = (message: string, extra: Record<string, unknown> = {}) => ({
  namespace: 'x',
  level: logLevel.ERROR,
  label: 'ERROR',
  timestamp: '',
  message,
  ...extra,
});

describe('kafkaLevel', () => {
  it('keeps what is not an error at its level', () => {
    expect(kafkaLevel(logLevel.WARN, at('w'))).toBe('warn');
    expect(kafkaLevel(logLevel.INFO, at('i'))).toBe('info');
    expect(kafkaLevel(logLevel.NOTHING, at('n'))).toBeUndefined();
  });

  it("logs a response failing with an error kafkajs retries as info: a fresh broker's start", () => {
    for (const error of [
      "The coordinator is loading and hence can't process requests for this group",
      'The group coordinator is not available',
      // A fleet's heartbeats at each rebalance (kafkajs rejoins).
      'The group is rebalancing, so a rejoin is needed',
    ])
      expect(
        kafkaLevel(logLevel.ERROR, at('Response GroupCoordinator(key: 10, version: 2)', { error })),
      ).toBe('info');
  });

  it("logs a CreateTopics response's refusal as info: the poller's own topic check reports what matters", () => {
    expect(
      kafkaLevel(
        logLevel.ERROR,
        at('Response CreateTopics(key: 19, version: 3)', { error: 'Topic creation errors' }),
      ),
    ).toBe('info');
    expect(
      kafkaLevel(
        logLevel.ERROR,
        at('Response CreateTopics(key: 19, version: 3)', {
          error: 'Not authorized to access topics: [Topic authorization failed]',
        }),
      ),
    ).toBe('error');
  });

  it('logs a consumer restarting after a retried error, and a reconnection, as warnings', () => {
    expect(
      kafkaLevel(
        logLevel.ERROR,
        at(
          "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
        ),
      ),
    ).toBe('warn');
    expect(kafkaLevel(logLevel.ERROR, at('Restarting the consumer in 300ms'))).toBe('warn');
    expect(kafkaLevel(logLevel.ERROR, at('Failed to connect to broker, reconnecting'))).toBe(
      'warn',
    );
  });

  it('keeps errors kafkajs does not retry as errors', () => {
    const fenced =
      "Producer attempted an operation with an old epoch. Either there is a newer producer with the same transactionalId, or the producer's transaction has been expired by the broker";
    expect(kafkaLevel(logLevel.ERROR, at('Response AddPartitionsToTxn', { error: fenced }))).toBe(
      'error',
    );
    expect(kafkaLevel(logLevel.ERROR, at(`Crash: KafkaJSProtocolError: ${fenced}`))).toBe('error');
    expect(kafkaLevel(logLevel.ERROR, at('Error when calling eachMessage'))).toBe('error');
  });
});
