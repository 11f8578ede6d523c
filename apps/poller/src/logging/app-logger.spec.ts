import { Writable } from 'node:stream';
import { logLevel } from 'kafkajs';
import { createAppLogger } from './app-logger.js';
import { kafkaLogCreator } from './kafka-log-creator.js';
import { inOperation } from './operation-context.js';
import { SecretScrubber } from './secret-scrubber.js';

const TOKEN = 'wv-TOKEN-0123456789';
const PASSWORD = 'sasl-Pw-9876';

function capture(level: 'info' | 'warn' | 'debug' = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createAppLogger({
    level,
    scrubber: new SecretScrubber([TOKEN, PASSWORD]),
    destination,
  });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('createAppLogger', () => {
  it('writes one JSON object per line with a readable level and an ISO time', () => {
    const { logger, records } = capture();
    logger.info({ context: 'Poller' }, 'published');
    const [record] = records();
    expect(record).toMatchObject({ level: 'info', msg: 'published', context: 'Poller' });
    expect(new Date(record.time as string).toISOString()).toBe(record.time);
  });

  it("carries the operation on lines written inside its context, kafkajs's included", async () => {
    const { logger, records } = capture();
    const kafkajs = kafkaLogCreator(logger)(logLevel.WARN);
    logger.info({ context: 'Http' }, 'the process');
    await inOperation('0010', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info({ context: 'Poller' }, 'after a timer');
      kafkajs({
        namespace: 'Producer',
        level: logLevel.WARN,
        label: 'WARN',
        log: { message: 'm', timestamp: 't' },
      });
    });
    inOperation('0020', () => logger.info({ context: 'Poller' }, 'another'));
    expect(records().map((r) => [r.msg, r.operation])).toEqual([
      ['the process', undefined],
      ['after a timer', '0010'],
      ['m', '0010'],
      ['another', '0020'],
    ]);
  });

  it('drops lines below the configured level', () => {
    const { logger, records } = capture('warn');
    logger.info('quiet');
    logger.debug('quieter');
    logger.warn('loud');
    expect(records().map((r) => r.msg)).toEqual(['loud']);
  });

  it('redacts secret fields by name and scrubs secret values from anywhere in a line', () => {
    const { logger, lines } = capture();
    logger.info({ token: 'anything', sasl: { password: 'anything-else' } }, 'by path');
    logger.info({ req: { headers: { 'wolkvox-token': TOKEN } } }, 'by header');
    logger.warn(`a library echoed the token ${TOKEN} and the password ${PASSWORD}`);
    logger.error({ err: new Error(`failed with token=${TOKEN}`) }, 'with an error');
    const text = lines.join('\n');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('anything');
    expect(text.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});

describe('kafkaLogCreator', () => {
  it("routes kafkajs entries through pino at kafkajs's level, without its timestamp", () => {
    const { logger, records } = capture();
    const log = kafkaLogCreator(logger)(logLevel.WARN);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: '2026-01-01T00:00:00.000Z',
        message: 'Connection error: connect ECONNREFUSED',
        broker: '127.0.0.1:9092',
        clientId: 'wolkvox-poller',
      },
    });
    log({
      namespace: 'Consumer',
      level: logLevel.DEBUG,
      label: 'DEBUG',
      log: { timestamp: 'x', message: 'below the level' },
    });
    expect(records()).toEqual([
      expect.objectContaining({
        level: 'error',
        context: 'kafkajs',
        namespace: 'Connection',
        broker: '127.0.0.1:9092',
        msg: 'Connection error: connect ECONNREFUSED',
      }),
    ]);
    expect(records()[0]).not.toHaveProperty('timestamp');
  });

  it('drops the warning about bounded retries, which a transactional producer makes moot', () => {
    const { logger, records } = capture();
    const log = kafkaLogCreator(logger)(logLevel.WARN);
    for (const message of [
      'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      'Response Metadata(key: 3, version: 6) failed',
    ])
      log({
        namespace: 'Producer',
        level: logLevel.WARN,
        label: 'WARN',
        log: { timestamp: 'x', message },
      });
    expect(records().map((r) => r.msg)).toEqual(['Response Metadata(key: 3, version: 6) failed']);
  });
});
