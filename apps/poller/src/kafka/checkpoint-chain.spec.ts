import { decodeCheckpoint, type ProgressMessage } from './checkpoint-codec.js';
import { CheckpointChain } from './checkpoint-chain.js';

const at = new Date('2026-03-01T17:00:00Z');
const progress = (keys: number) => ({
  cursor: 1000,
  settledBefore: 900,
  seen: new Map(Array.from({ length: keys }, (_, i) => [`k${i}`, 950] as const)),
});

function latestOf(...batches: ProgressMessage[][]): Map<string, string | null> {
  const latest = new Map<string, string | null>();
  for (const batch of batches) for (const m of batch) latest.set(m.key, m.value);
  return latest;
}

describe('CheckpointChain', () => {
  it('writes each checkpoint as the next generation, once the one before committed', () => {
    const chain = new CheckpointChain('0010', () => at);
    const first = chain.encode({ progress: progress(1) });
    // Not committed: the next encoding is still the first generation.
    expect(
      decodeCheckpoint('0010', latestOf(chain.encode({ progress: progress(1) }).messages)),
    ).toMatchObject({ generation: 1 });
    first.committed();
    const second = chain.encode({ progress: progress(1) });
    expect(decodeCheckpoint('0010', latestOf(first.messages, second.messages))).toMatchObject({
      generation: 2,
    });
  });

  it('continues the checkpoint a load found, deleting the chunks it no longer uses', () => {
    const chain = new CheckpointChain('0010', () => at);
    chain.follow({ generation: 41, chunks: 3 });
    const { messages } = chain.encode({ progress: progress(1) });
    expect(messages.filter((m) => m.value === null).map((m) => m.key)).toEqual([
      '0010/seen/1',
      '0010/seen/2',
    ]);
    expect(decodeCheckpoint('0010', latestOf(messages))).toMatchObject({ generation: 42 });
    // Nothing stored: the chain starts over.
    chain.follow(null);
    expect(
      decodeCheckpoint('0010', latestOf(chain.encode({ progress: progress(0) }).messages)),
    ).toMatchObject({ generation: 1, chunks: 0 });
  });
});
