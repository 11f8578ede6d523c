import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we target). */
const TICKS_PER_SECOND = 100;

export interface ProcessSnapshot {
  /** Date.now() when the files were read. */
  at: number;
  /** User plus system CPU seconds the process has used so far. */
  cpuSeconds: number;
  /** Resident set size now, bytes. */
  rssBytes: number;
  /** Peak resident set size so far (VmHWM), bytes. */
  peakRssBytes: number;
}

/**
 * CPU and memory of another process, from /proc: the only way to see a child that is not a Node
 * process (kcat) or that we must not instrument (the poller, measured as it runs in production).
 * Undefined once the process is gone.
 */
export function snapshot(pid: number): ProcessSnapshot | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return {
      at: Date.now(),
      cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
      rssBytes: statusKb(status, 'VmRSS') * 1024,
      peakRssBytes: statusKb(status, 'VmHWM') * 1024,
    };
  } catch {
    return undefined;
  }
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/**
 * Reads a process's /proc figures every `intervalMs` until stopped or the process exits, so that
 * its CPU at a given moment (the first API call) can be looked up afterwards and the last figures
 * of a process that exits on its own are still known.
 */
export class ProcessSampler {
  readonly samples: ProcessSnapshot[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly pid: number,
    intervalMs: number,
  ) {
    this.take();
    this.timer = setInterval(() => this.take(), intervalMs);
  }

  /** Takes a sample now; returns it, or undefined when the process is gone. */
  take(): ProcessSnapshot | undefined {
    const sample = snapshot(this.pid);
    if (sample) this.samples.push(sample);
    return sample;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get last(): ProcessSnapshot | undefined {
    return this.samples[this.samples.length - 1];
  }

  /**
   * The most the samples saw: a process that has exited but not been reaped (a zombie) still
   * shows its CPU times but no memory lines, so the last sample alone may read 0 for RSS.
   */
  get highest(): { cpuSeconds: number; peakRssBytes: number } {
    let cpuSeconds = 0;
    let peakRssBytes = 0;
    for (const sample of this.samples) {
      cpuSeconds = Math.max(cpuSeconds, sample.cpuSeconds);
      peakRssBytes = Math.max(peakRssBytes, sample.peakRssBytes);
    }
    return { cpuSeconds, peakRssBytes };
  }

  /** The last sample taken at or before `at` (ms since the epoch), else the first one. */
  at(at: number): ProcessSnapshot | undefined {
    let found = this.samples[0];
    for (const sample of this.samples) {
      if (sample.at > at) break;
      found = sample;
    }
    return found;
  }
}

/** Peak RSS and CPU of the current process, for child scripts reporting on themselves. */
export function selfUsage(): { peakRssBytes: number; cpuSeconds: number } {
  const usage = process.resourceUsage();
  return {
    peakRssBytes: usage.maxRSS * 1024, // maxRSS is in KiB
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  };
}
