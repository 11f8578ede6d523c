import { Writable } from 'node:stream';
import { NetworkError, ProtocolError } from '@platformatic/kafka';
import pino from 'pino';
import { kafkaLogCreator } from '../../logging/kafka-log-creator.js';
import { platformaticOptions } from './platformatic-options.js';
import { retryLog } from './retry-log.js';
import { loadConfig } from '../../config/poller-config.js';

/** The JSON lines the application's logger writes, as kafkajs's lines reach it. */
function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, onRetry: retryLog(kafkaLogCreator(pino({ level: 'debug' }, sink))) };
}

describe('retryLog', () => {
  it('logs each retried attempt: a cluster that moved as a warning, a routine refusal as debug', () => {
    const { lines, onRetry } = capturedLog();
    const config = loadConfig({ WOLKVOX_SERVER: '0010', WOLKVOX_TOKEN: 'tok' });
    if (!config.ok) throw new Error(config.problems.join('\n'));
    const delay = platformaticOptions(config.config.kafka, onRetry).retryDelay;
    if (typeof delay !== 'function') throw new Error('retryDelay is not a function');
    const client = { clearMetadata: () => undefined };

    delay(client, 'addPartitionsToTransaction', 1, 20, new NetworkError('Connection closed'));
    delay(client, 'produce', 4, 20, new ProtocolError('NOT_LEADER_OR_FOLLOWER'));
    delay(
      client,
      'addPartitionsToTransaction',
      2,
      20,
      new ProtocolError('CONCURRENT_TRANSACTIONS'),
    );

    expect(lines.map((l) => [l.level, l.msg, l.error])).toEqual([
      [
        40,
        'addPartitionsToTransaction failed (attempt 1 of 21), retrying in 100 ms',
        'Connection closed',
      ],
      [40, 'produce failed (attempt 4 of 21), retrying in 800 ms', 'NOT_LEADER_OR_FOLLOWER'],
      [
        20,
        'addPartitionsToTransaction failed (attempt 2 of 21), retrying in 200 ms',
        'CONCURRENT_TRANSACTIONS',
      ],
    ]);
    expect(lines.every((l) => l.context === 'platformatic')).toBe(true);
  });
});
