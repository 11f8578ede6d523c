import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface AnchoredProfile {
  anchor: { wallMs: number; monotonicUs: number };
  profile: {
    nodes: ProfileNode[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
}

export interface CpuBreakdown {
  /** CPU milliseconds sampled in the span (idle excluded). */
  busyMs: number;
  /** Share of busy time by the part of the code that spent it, largest first. */
  categories: Array<{ category: string; ms: number; share: number }>;
  /** Functions by self time, largest first. */
  functions: Array<{ name: string; category: string; ms: number; share: number }>;
}

/**
 * Summarises a CPU profile written by cpu-profile-preload.ts over the wall-clock span
 * `fromMs..toMs`. Time in V8 builtins, native code and Node's own modules (JSON.parse, Buffer
 * copies, crypto, streams) is charged to the nearest caller outside them, so "kafkajs" includes
 * the copies kafkajs asked for, and "contracts" the JSON.stringify and SHA-256 of mapping.
 */
export function summarizeCpuProfile(
  file: string,
  fromMs: number,
  toMs: number,
  top = 15,
): CpuBreakdown {
  const { anchor, profile } = JSON.parse(readFileSync(file, 'utf8')) as AnchoredProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);

  const categoryOf = new Map<number, string>();
  const categorize = (id: number): string => {
    const cached = categoryOf.get(id);
    if (cached) return cached;
    const node = nodes.get(id)!;
    let category = ownCategory(node);
    if (category === undefined) {
      const parent = parents.get(id);
      category = parent === undefined ? 'Node runtime (event loop, sockets)' : categorize(parent);
    }
    categoryOf.set(id, category);
    return category;
  };

  const selfMs = new Map<number, number>();
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    const wall = anchor.wallMs + (time - anchor.monotonicUs) / 1000;
    if (wall < fromMs || wall > toMs) continue;
    const duration = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
    selfMs.set(profile.samples[i], (selfMs.get(profile.samples[i]) ?? 0) + duration);
  }

  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, { name: string; category: string; ms: number }>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    const node = nodes.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    busyMs += ms;
    const category = categorize(id);
    byCategory.set(category, (byCategory.get(category) ?? 0) + ms);
    // The same builtin (a Buffer copy) works for several callers: one line per caller category.
    const name = functionName(node, nodes.get(parents.get(id) ?? -1));
    const key = `${name}\u0000${category}`;
    const entry = byFunction.get(key) ?? { name, category, ms: 0 };
    entry.ms += ms;
    byFunction.set(key, entry);
  }
  const share = (ms: number) => ms / busyMs;
  return {
    busyMs,
    categories: [...byCategory]
      .map(([category, ms]) => ({ category, ms, share: share(ms) }))
      .sort((a, b) => b.ms - a.ms),
    functions: [...byFunction.values()]
      .map(({ name, category, ms }) => ({ name, category, ms, share: share(ms) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
  };
}

/** The category a frame names by its source; undefined for builtins and native frames. */
function ownCategory(node: ProfileNode): string | undefined {
  const { url, functionName: name } = node.callFrame;
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)') return 'V8/native (program)';
  if (!url) return undefined;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1];
  if (url.includes('/libs/contracts/')) return 'libs/contracts (validate, map, keys, encode)';
  if (url.includes('/libs/wolkvox-client/')) return 'libs/wolkvox-client (HTTP, envelope parse)';
  if (url.includes('/apps/poller/')) return 'apps/poller';
  // Node's own modules (buffer, crypto, streams) work for whoever called them.
  if (url.startsWith('node:')) return undefined;
  return url;
}

function functionName(node: ProfileNode, parent: ProfileNode | undefined): string {
  const { functionName: name, url, lineNumber } = node.callFrame;
  const shown = name || '(anonymous)';
  if (url) return `${shown} ${shortUrl(url)}:${lineNumber + 1}`;
  const caller = parent ? parent.callFrame.functionName || '(anonymous)' : '?';
  return `${shown} (builtin, from ${caller})`;
}

function shortUrl(url: string): string {
  const module = /node_modules\/(.*)$/.exec(url);
  if (module) return module[1];
  const dist = /\/dist\/(.*)$/.exec(url);
  return dist ? dist[1] : url;
}
