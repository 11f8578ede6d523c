import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * The keys of the events this subscriber has handled, in a file of one key per line. It stands
 * for a real service's store: there, the handler's effect and its key go into one transaction
 * (a row and a unique index on the key), so that a redelivered or replayed event finds its key
 * and does nothing. Here the effect is the log line, and the key is appended before the offset
 * is committed: a crash between the two redelivers an event whose key is already here. A crash
 * between the log line and its key (no transaction holds both here) handles that one event
 * again after the restart.
 */
export class HandledKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly file: string) {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    // A line without its newline is a write a crash cut short: the key was not recorded, and
    // the next key starts on a line of its own.
    lines.pop();
    if (text.length > 0 && !text.endsWith('\n')) appendFileSync(file, '\n');
    for (const key of lines) this.keys.add(key);
  }

  get size(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Records a key; the write is in the file (the kernel's) when this returns. */
  add(key: string): void {
    appendFileSync(this.file, `${key}\n`);
    this.keys.add(key);
  }
}
