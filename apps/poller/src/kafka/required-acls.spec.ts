import { readFileSync } from 'node:fs';
import { DEFAULT_TOPICS } from '@app/contracts';
import { aclDocs, granteeOf, kafkaAclsCommand, requiredAcls } from './required-acls.js';

const operations = readFileSync(new URL('../../../../docs/OPERATIONS.md', import.meta.url), 'utf8');

/** Markdown as compared: a list item's indent dropped, a table's cells trimmed (Prettier pads them). */
function normalized(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => line.replace(/^ {3}/, ''))
    .map((line) =>
      line.startsWith('|') ? line.replace(/ *\| */g, '|').replace(/\|-+(?=\|)/g, '|---') : line,
    )
    .join('\n');
}

describe('the ACLs the poller needs', () => {
  it('are listed in docs/OPERATIONS.md exactly as required-acls.ts has them', () => {
    const docs = aclDocs(
      { topics: DEFAULT_TOPICS, server: '0010' },
      { principal: 'User:wolkvox-poller', bootstrap: 'kafka-1:9092' },
    );
    expect(normalized(operations)).toContain(normalized(docs));
  });

  it('are Read/Write (which imply Describe) and no cluster ACL: IdempotentWrite is not needed', () => {
    const acls = requiredAcls({ topics: DEFAULT_TOPICS, server: '0010' });
    expect(acls.flatMap((a) => a.resources.map((r) => r.type))).not.toContain('cluster');
    expect(new Set(acls.map((a) => a.operation))).toEqual(
      new Set(['Read', 'Write', 'DescribeConfigs']),
    );
  });

  it('print the command that grants one, for the SASL user of the configuration', () => {
    const grantee = granteeOf({ brokers: ['k1:9092', 'k2:9092'], sasl: { username: 'svc' } });
    expect(
      kafkaAclsCommand(
        { operation: 'Read', resources: [{ type: 'group', name: 'reader-', pattern: 'prefixed' }] },
        grantee,
      ),
    ).toBe(
      'kafka-acls --bootstrap-server k1:9092,k2:9092 --command-config admin.properties --add --allow-principal User:svc --operation Read --group reader- --resource-pattern-type prefixed',
    );
  });
});
