import type { ReadToEndOptions } from './topic-reader.js';

/** A read of the progress topic to its end, from given offsets (readTopicToEnd, bound). */
export type ProgressTopicRead = (
  options: Required<Pick<ReadToEndOptions, 'onMessage' | 'onEnd' | 'readUncommitted'>> &
    Pick<ReadToEndOptions, 'fromOffsets'>,
) => Promise<unknown>;

/** One isolation level's picture of the topic, and where reading it goes on from. */
interface View {
  values: Map<string, string | null>;
  offsets: Record<number, string>;
  /** The catch-up running now: the next one starts after it. */
  last: Promise<void>;
}

/**
 * The progress topic as this process knows it: the latest value of each key, for every
 * operation, as compaction would leave it. Each look reads on from where the previous one
 * stopped, so a load, a standby's look at the lease or the reconciliation's record costs what
 * was written since, not the whole topic (Kafka Connect's KafkaBasedLog reads its offsets topic
 * the same way). Shared by all the operations of a process; looks are served one after the
 * other, each up to the topic's end when it started.
 *
 * Two pictures: the committed one (read_committed: checkpoints) and the uncommitted one (a live
 * owner's heartbeat inside its open transaction counts: the lease).
 */
export class ProgressLog {
  private readonly views = { committed: newView(), uncommitted: newView() };

  constructor(
    private readonly read: ProgressTopicRead,
    /**
     * What the uncommitted picture keeps: the lease needs the heads and lease messages only,
     * not the seen-key chunks that the committed picture holds already.
     */
    private readonly keepUncommitted: (key: string) => boolean = () => true,
  ) {}

  /** The latest value of each key that is `prefix` or starts with `prefix/`, read to the end now. */
  async latest(prefix: string, readUncommitted: boolean): Promise<Map<string, string | null>> {
    const view = readUncommitted ? this.views.uncommitted : this.views.committed;
    const caughtUp = view.last.then(() => this.catchUp(view, readUncommitted));
    // A failed look fails its caller only; the next one tries again from the same offsets.
    view.last = caughtUp.catch(() => undefined);
    await caughtUp;
    const latest = new Map<string, string | null>();
    for (const [key, value] of view.values)
      if (key === prefix || key.startsWith(`${prefix}/`)) latest.set(key, value);
    return latest;
  }

  private async catchUp(view: View, readUncommitted: boolean): Promise<void> {
    const keep = readUncommitted ? this.keepUncommitted : () => true;
    // Applied only once the read is complete: a read that fails midway leaves the picture and
    // its offsets as they were, never half moved.
    const read: Array<[string, string | null]> = [];
    let ends: ReadonlyMap<number, string> | undefined;
    await this.read({
      fromOffsets: { ...view.offsets },
      readUncommitted,
      onMessage: ({ partition, offset, message }) => {
        // What it holds already: a reader that started over must not take it back to older values.
        const from = view.offsets[partition];
        if (from !== undefined && BigInt(offset) < BigInt(from)) return;
        const key = message.key?.toString();
        if (key !== undefined && keep(key))
          read.push([key, message.value ? message.value.toString() : null]);
      },
      onEnd: (reached) => (ends = reached),
    });
    for (const [key, value] of read) view.values.set(key, value);
    for (const [partition, offset] of ends ?? []) view.offsets[partition] = offset;
  }
}

function newView(): View {
  return { values: new Map(), offsets: {}, last: Promise.resolve() };
}
