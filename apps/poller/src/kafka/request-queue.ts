import type { Message, TopicMessages } from 'kafkajs';

/**
 * Messages waiting to be produced, cut into requests of bounded size in the order they came.
 * Pure bookkeeping: the transaction decides when to take a request and sends it.
 */
export class RequestQueue {
  private queue: Array<{ topic: string; message: Message; size: number }> = [];
  private bytes = 0;

  constructor(private readonly maxRequestBytes: number) {}

  add(topic: string, messages: readonly Message[]): void {
    for (const message of messages) {
      const size = sizeOf(message);
      this.queue.push({ topic, message, size });
      this.bytes += size;
    }
  }

  /** A request's worth is waiting: sending now fills a request. */
  get full(): boolean {
    return this.bytes >= this.maxRequestBytes;
  }

  get empty(): boolean {
    return this.queue.length === 0;
  }

  /**
   * The next request: messages from the front while they fit (always at least one, so a message
   * larger than the bound still goes, alone), grouped by topic.
   */
  take(): TopicMessages[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length) {
      const size = this.queue[count].size;
      if (count > 0 && bytes + size > this.maxRequestBytes) break;
      bytes += size;
      count++;
    }
    const taken = this.queue.splice(0, count);
    this.bytes -= bytes;
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of taken) {
      const list = byTopic.get(topic);
      if (list) list.push(message);
      else byTopic.set(topic, [message]);
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }
}

/** Bytes a message takes in a request, near enough: key, value, headers, and record overhead. */
function sizeOf(message: Message): number {
  let size =
    64 +
    (message.key ? Buffer.byteLength(message.key) : 0) +
    (message.value ? Buffer.byteLength(message.value) : 0);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    size += name.length + (value ? Buffer.byteLength(value as string | Buffer) : 0);
  }
  return size;
}
