import { Writable } from 'node:stream';
import { pino } from 'pino';
import { nestLoggerOver } from './nest-to-pino.js';

describe('nestLoggerOver', () => {
  it('writes Nest logger calls as pino lines with their level and context', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const service = nestLoggerOver(pino({ level: 'debug' }, sink));
    service.debug?.('read the topic in 12 ms', 'Checkpoint');
    service.warn('slow', 'Publisher');
    service.error('failed', 'stack here', 'Topics');
    expect(lines).toEqual([
      expect.objectContaining({ level: 20, context: 'Checkpoint', msg: 'read the topic in 12 ms' }),
      expect.objectContaining({ level: 40, context: 'Publisher', msg: 'slow' }),
      expect.objectContaining({ level: 50, context: 'Topics', msg: 'failed' }),
    ]);
  });
});
