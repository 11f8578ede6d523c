import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { DeadLetterSchema, EmailSentEventSchema } from './email-sent.event.js';
import { renderContractFiles, type ContractFile } from './machine-readable.js';
import { DEFAULT_TOPICS } from './topics.js';

const files = renderContractFiles();

function committed(file: string): string | undefined {
  try {
    return readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

async function errorsOf(document: string): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(document);
  return (
    diagnostics
      // Numbers: the parser's diagnostics and its DiagnosticSeverity come from two copies of
      // @stoplight/types, so the enums do not compare as enums.
      .filter((diagnostic) => Number(diagnostic.severity) <= Number(DiagnosticSeverity.Warning))
      .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`)
  );
}

describe('the committed machine-readable contract', () => {
  it.each(Object.keys(files) as ContractFile[])('%s matches the zod schemas', (file) => {
    const stale = committed(file) !== files[file];
    // A message that says what to do, rather than a diff of a generated file.
    if (stale) {
      throw new Error(
        `libs/contracts/${file} differs from the zod schemas: run npm run contracts:generate`,
      );
    }
  });
});

describe('the AsyncAPI document', () => {
  it('is accepted by @asyncapi/parser with no errors or warnings', async () => {
    expect(await errorsOf(files['asyncapi.json'])).toEqual([]);
  });

  it('names the three topics with their keys and cleanup policies', async () => {
    const { document } = await new Parser().parse(files['asyncapi.json']);
    const channels = document!.channels().all();
    expect(channels.map((channel) => channel.address()).sort()).toEqual(
      Object.values(DEFAULT_TOPICS).sort(),
    );
    const policies = Object.fromEntries(
      channels.map((channel) => [
        channel.address(),
        (channel.bindings().get('kafka')?.value() as { topicConfiguration: object })
          .topicConfiguration,
      ]),
    );
    expect(policies[DEFAULT_TOPICS.progress]).toEqual({ 'cleanup.policy': ['compact'] });
    expect(policies[DEFAULT_TOPICS.events]).toEqual({ 'cleanup.policy': ['delete'] });
    const message = document!
      .messages()
      .all()
      .find((m) => m.name() === 'email.sent');
    expect(message?.bindings().get('kafka')?.value()).toMatchObject({
      key: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    });
  });

  it('would be rejected by the parser if a binding were wrong (so the check above can fail)', async () => {
    const broken = files['asyncapi.json'].replace('"compact"', '"compacted"');
    expect(await errorsOf(broken)).not.toEqual([]);
  });

  it('carries examples that the contract itself accepts', () => {
    const document = JSON.parse(files['asyncapi.json']) as {
      components: { messages: Record<string, { examples?: { payload: unknown }[] }> };
    };
    const { emailSentV1, deadLetterV1 } = document.components.messages;
    expect(EmailSentEventSchema.safeParse(emailSentV1.examples?.[0].payload).success).toBe(true);
    expect(DeadLetterSchema.safeParse(deadLetterV1.examples?.[0].payload).success).toBe(true);
  });
});
