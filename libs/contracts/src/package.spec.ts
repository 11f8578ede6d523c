import { readFileSync } from 'node:fs';
import { EMAIL_SENT_DATASCHEMA } from './email-sent.event.js';
import { EMAIL_SENT_MAJOR } from './event-version.js';

// The rule of the package's version (README, "Versioning"): its major is the event's
// `dataschema` major, and every release has its CHANGELOG entry.
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const manifest = JSON.parse(read('package.json')) as {
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

describe('the package', () => {
  it('has the major version of the dataschema it reads', () => {
    const [major] = manifest.version.split('.').map(Number);
    expect(major).toBe(EMAIL_SENT_MAJOR);
    expect(EMAIL_SENT_DATASCHEMA).toContain(`:email-sent:v${EMAIL_SENT_MAJOR}#`);
  });

  it('has a CHANGELOG entry for its version', () => {
    expect(read('CHANGELOG.md')).toContain(`## ${manifest.version} `);
  });

  it('depends on zod only: no Nest, no Kafka client', () => {
    expect(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })).toEqual([
      'zod',
    ]);
  });
});
