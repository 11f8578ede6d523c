import { laneOf, planLanes } from './lanes-runner.js';

const solo = (name: string) => name.startsWith('solo');

describe('planLanes', () => {
  const tests = ['solo-crash', 'cli', 'solo-load', 'health', 'config'];

  it('runs solo files one at a time beside the others, which share the other workers', () => {
    expect(planLanes(tests, solo, 4)).toEqual([
      { name: 'solo', workers: 1, tests: ['solo-crash', 'solo-load'] },
      { name: 'shared', workers: 3, tests: ['cli', 'health', 'config'] },
    ]);
  });

  it('keeps the order jest gave (slowest known first) within each lane', () => {
    const [soloLane, sharedLane] = planLanes(['config', 'solo-b', 'cli', 'solo-a'], solo, 2);
    expect(soloLane.tests).toEqual(['solo-b', 'solo-a']);
    expect(sharedLane.tests).toEqual(['config', 'cli']);
  });

  it('makes one lane of every worker when there is one worker', () => {
    expect(planLanes(tests, solo, 1)).toEqual([{ name: 'shared', workers: 1, tests }]);
  });

  it('makes one lane when every file is of one kind', () => {
    expect(planLanes(['cli', 'health'], solo, 3)).toEqual([
      { name: 'shared', workers: 3, tests: ['cli', 'health'] },
    ]);
    // Solo files alone still run one at a time.
    expect(planLanes(['solo-a', 'solo-b'], solo, 3)).toEqual([
      { name: 'solo', workers: 1, tests: ['solo-a', 'solo-b'] },
    ]);
    expect(planLanes([], solo, 3)).toEqual([]);
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
