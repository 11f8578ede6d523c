import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** Every process the bench started and has not seen exit, to stop them on Ctrl-C. */
const live = new Set<ChildProcess>();

/** Remembers `child` until it exits; returns it. */
export function tracked<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`; resolves once it exited. */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Stops every tracked process still running, each by its own pid. */
export async function stopAllTracked(graceMs: number): Promise<void> {
  await Promise.all([...live].map((child) => stopProcess(child, graceMs)));
}
