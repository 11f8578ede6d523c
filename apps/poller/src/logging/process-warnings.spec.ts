import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { isKafkajsNegativeTimeout, routeProcessWarnings } from './process-warnings.js';

function warning(name: string, stack: string): Error {
  const error = new Error(`${name} message`);
  error.name = name;
  error.stack = stack;
  return error;
}

const KAFKAJS_STACK =
  'TimeoutNegativeWarning: -1796422310996 is a negative number.\n    at setTimeout (node:timers:150:19)\n    at RequestQueue.scheduleCheckPendingRequests (/app/node_modules/kafkajs/src/network/requestQueue/index.js:317:37)';

describe('process warnings', () => {
  it("recognises kafkajs's negative request-queue timeout, and only that one", () => {
    expect(isKafkajsNegativeTimeout(warning('TimeoutNegativeWarning', KAFKAJS_STACK))).toBe(true);
    expect(
      isKafkajsNegativeTimeout(
        warning('TimeoutNegativeWarning', 'at Object.<anonymous> (/app/x.js:1:1)'),
      ),
    ).toBe(false);
    expect(isKafkajsNegativeTimeout(warning('DeprecationWarning', KAFKAJS_STACK))).toBe(false);
  });

  it("replaces Node's plain-text printer with JSON log lines", () => {
    const proc = new EventEmitter() as unknown as NodeJS.Process;
    const printed: unknown[] = [];
    proc.on('warning', function onWarning(w: Error) {
      printed.push(w);
    });
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    routeProcessWarnings(logger, proc);

    proc.emit('warning', warning('TimeoutNegativeWarning', KAFKAJS_STACK));
    proc.emit('warning', Object.assign(warning('DeprecationWarning', 'at x'), { code: 'DEP0005' }));

    expect(printed).toEqual([]);
    expect(lines.map(({ level, warning, code, msg }) => ({ level, warning, code, msg }))).toEqual([
      {
        level: 20,
        warning: 'TimeoutNegativeWarning',
        code: undefined,
        msg: 'TimeoutNegativeWarning message',
      },
      {
        level: 40,
        warning: 'DeprecationWarning',
        code: 'DEP0005',
        msg: 'DeprecationWarning message',
      },
    ]);
  });
});
