import { readFileSync } from 'node:fs';
import { NODE_FLOOR, nodeVersionProblem } from './node-version.js';

describe('nodeVersionProblem', () => {
  it('is the engines floor of package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${NODE_FLOOR}`);
  });

  it.each(['v22.22.0', 'v22.22.1', 'v22.23.0', 'v24.0.0', 'v26.12.0'])('accepts %s', (v) => {
    expect(nodeVersionProblem(v, '22.22.0')).toBeUndefined();
  });

  it.each(['v20.19.5', 'v22.21.9', 'v22.12.0', 'v18.0.0'])('refuses %s in one line', (v) => {
    expect(nodeVersionProblem(v, '22.22.0')).toBe(
      `Node.js ${v.slice(1)} is too old: the poller needs 22.22.0 or later (package.json engines)`,
    );
  });
});
