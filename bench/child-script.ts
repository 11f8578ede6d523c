import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIST } from './paths.js';
import { tracked } from './stop-process.js';

/** How a parent hands its input to a baseline script: one JSON value in this variable. */
const INPUT_VARIABLE = 'BENCH_CHILD_INPUT';

/**
 * Runs `dist/bench/<script>.js` in a process of its own (so its peak RSS is its own) and returns
 * the JSON it prints as its last line of stdout. Its stderr passes through.
 */
export function runChildScript<T>(
  script: string,
  input: unknown,
  nodeArgs: string[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = tracked(
      spawn(process.execPath, [...nodeArgs, join(BENCH_DIST, `${script}.js`)], {
        env: {
          ...process.env,
          KAFKAJS_NO_PARTITIONER_WARNING: '1',
          [INPUT_VARIABLE]: JSON.stringify(input),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0) {
        try {
          resolve(JSON.parse(last) as T);
        } catch {
          reject(new Error(`${script} printed no JSON result: ${last.slice(0, 200)}`));
        }
      } else reject(new Error(`${script} exited with ${code ?? signal}`));
    });
  });
}

/** In a child script: the input its parent passed. */
export function childInput<T>(): T {
  const text = process.env[INPUT_VARIABLE];
  if (!text) throw new Error(`${INPUT_VARIABLE} is not set: this script is started by bench/run`);
  return JSON.parse(text) as T;
}

/** In a child script: reports the result to the parent and ends the process. */
export function reportAndExit(result: unknown): never {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
