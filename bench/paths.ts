import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: bench scripts run from dist/bench, two levels below it. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Compiled entry points the bench starts as processes of their own. */
export const POLLER_MAIN = join(REPO_ROOT, 'dist', 'apps', 'poller', 'src', 'main.js');
export const SIMULATOR_MAIN = join(REPO_ROOT, 'dist', 'apps', 'simulator', 'src', 'main.js');
export const BENCH_DIST = dirname(fileURLToPath(import.meta.url));

/** A directory under .cache/bench (created), for message files, logs and profiles. */
export function workDir(...parts: string[]): string {
  const dir = join(REPO_ROOT, '.cache', 'bench', ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
