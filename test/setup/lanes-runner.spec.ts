import { laneOf, planLanes } from './lanes-runner.js';

const laneOfName = (name: string) => /^(alone|solo)/.exec(name)?.[1];

describe('planLanes', () => {
  const tests = ['solo-api', 'cli', 'solo-load', 'health', 'config'];

  it('runs solo files one at a time beside the others, which share the other workers', () => {
    expect(planLanes(tests, laneOfName, 4)).toEqual({
      first: [],
      then: [
        { name: 'solo', workers: 1, tests: ['solo-api', 'solo-load'] },
        { name: 'shared', workers: 3, tests: ['cli', 'health', 'config'] },
      ],
    });
  });

  it('runs the files that must be alone first, one after the other, before the others', () => {
    expect(planLanes(['cli', 'alone-crash', 'solo-load', 'alone-x'], laneOfName, 3)).toEqual({
      first: [{ name: 'alone', workers: 1, tests: ['alone-crash', 'alone-x'] }],
      then: [
        { name: 'solo', workers: 1, tests: ['solo-load'] },
        { name: 'shared', workers: 2, tests: ['cli'] },
      ],
    });
  });

  it('keeps the order jest gave (slowest known first) within each lane', () => {
    const { then } = planLanes(['config', 'solo-b', 'cli', 'solo-a'], laneOfName, 2);
    expect(then.map((lane) => lane.tests)).toEqual([
      ['solo-b', 'solo-a'],
      ['config', 'cli'],
    ]);
  });

  it('makes one lane of every worker when there is one worker', () => {
    expect(planLanes([...tests, 'alone-crash'], laneOfName, 1)).toEqual({
      first: [{ name: 'alone', workers: 1, tests: ['alone-crash'] }],
      then: [{ name: 'shared', workers: 1, tests }],
    });
  });

  it('makes one lane when every file is of one kind', () => {
    expect(planLanes(['cli', 'health'], laneOfName, 3).then).toEqual([
      { name: 'shared', workers: 3, tests: ['cli', 'health'] },
    ]);
    // Solo files alone still run one at a time.
    expect(planLanes(['solo-a', 'solo-b'], laneOfName, 3).then).toEqual([
      { name: 'solo', workers: 1, tests: ['solo-a', 'solo-b'] },
    ]);
    expect(planLanes(['alone-a'], laneOfName, 3).then).toEqual([]);
    expect(planLanes([], laneOfName, 3)).toEqual({ first: [], then: [] });
  });
});

describe('laneOf', () => {
  it('reads the @lane pragma of the leading docblock', () => {
    expect(laneOf('/**\n * @lane solo\n */\nimport x from "y";\n')).toBe('solo');
    expect(laneOf('/** @lane solo */\n')).toBe('solo');
    // A pragma followed by a line of comment: jest-docblock joins the two.
    expect(laneOf('/**\n * @lane solo\n * CPU-heavy.\n */\n')).toBe('solo');
    expect(laneOf('/**\n * CPU-heavy.\n *\n * @lane solo\n */\n')).toBe('solo');
  });

  it('ignores a pragma that is not in the leading docblock, and files without one', () => {
    expect(laneOf('import x from "y";\n/** @lane solo */\n')).toBeUndefined();
    expect(laneOf('/** A test of the CLI. */\nimport x from "y";\n')).toBeUndefined();
    expect(laneOf('')).toBeUndefined();
  });
});
