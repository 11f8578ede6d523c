import { readFileSync } from 'node:fs';
import { prettyJson } from './pretty-json.js';

// The README shows code and an event that also live in files the build compiles and the specs
// decode: it must show them verbatim, so the two cannot drift apart.
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');

describe('README', () => {
  it('shows the consumer example exactly as compiled', () => {
    const example = read('examples/consume-email-sent.ts');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('shows the golden routing-point event exactly', () => {
    const golden = JSON.parse(read('test-vectors/golden/email-sent.routing-point.v1.json')) as {
      value: unknown;
    };
    expect(readme).toContain(`\`\`\`json\n${prettyJson(golden.value)}\`\`\``);
  });
});
