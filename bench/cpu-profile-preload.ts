/**
 * Loaded into the poller with `node --import` when the bench profiles it (BENCH_PROFILE=cpu).
 * `--cpu-prof` cannot be used there: Nest re-raises SIGTERM after its shutdown hooks, so the
 * process ends by the signal's default action and never writes the profile. This starts the V8
 * CPU profiler through the inspector at load, and writes the profile when the bench sends
 * SIGUSR2 (once every event is committed), with a wall-clock anchor so that the summary can
 * keep only the samples between the first API call and the last commit.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const out = process.env.BENCH_CPU_PROFILE;
if (out) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  // Taken right after the start: the profile's timestamps are CLOCK_MONOTONIC microseconds,
  // the same clock as process.hrtime.
  const anchor = { wallMs: Date.now(), monotonicUs: Number(process.hrtime.bigint() / 1000n) };
  process.once('SIGUSR2', () => {
    void session.post('Profiler.stop').then(({ profile }) => {
      writeFileSync(out, JSON.stringify({ anchor, profile }));
    });
  });
}
