/**
 * Peak memory of reading the documented worst case, a 256 MB cdr_9 response of 60,000 records,
 * three ways on the client and two ways on the serving side. Each measurement runs in its own
 * child process so that its peak RSS (getrusage maxrss) belongs to that strategy alone.
 *
 *   npm run build && node dist/libs/wolkvox-client/bench/parse-memory.js [--records 60000] [--bytes 268435456]
 *
 * Client strategies, each against a local HTTP server streaming the same body from a file:
 *   buffered   undici `body.text()` then `JSON.parse`, then validation (the obvious way)
 *   streaming  EnvelopeStreamParser: each element of `data` parsed and validated as it arrives
 *   client     WolkvoxClient.fetchWindow end to end (streaming, plus pool, budget, outcome)
 * Serving strategies (what the simulator should do), records already in memory:
 *   serve-stringify   JSON.stringify of the whole envelope, one res.end()
 *   serve-stream      one res.write() per record, waiting for 'drain'
 *
 * Body variants: `latin1` has Spanish text (accents fit V8's one-byte strings); `emoji` adds
 * an emoji to one record in ten, which makes V8 hold a whole decoded body as two-byte UTF-16.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { validateCdr9Record } from '@app/contracts';
import { request } from 'undici';
import { EnvelopeStreamParser } from '../src/envelope-stream-parser.js';
import { DailyRequestBudget } from '../src/request-budget.js';
import { WolkvoxClient } from '../src/wolkvox-client.js';

type Variant = 'latin1' | 'emoji';
const CLIENT_STRATEGIES = ['buffered', 'streaming', 'client'] as const;
const SERVE_STRATEGIES = ['serve-stringify', 'serve-stream'] as const;
type Strategy = (typeof CLIENT_STRATEGIES)[number] | (typeof SERVE_STRATEGIES)[number];

interface Measurement {
  strategy: Strategy;
  variant: Variant;
  records: number;
  invalid: number;
  ms: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
  peakExternalMb: number;
  baselineRssMb: number;
}

const MB = 1024 * 1024;
const WORDS = [
  'señor',
  'información',
  'atención',
  'cliente',
  'cita',
  'confirmación',
  'pedido',
  'envío',
  'factura',
  'número',
  'teléfono',
  'mañana',
  'gracias',
  'según',
  'próximo',
  'después',
  'más',
  'día',
  'año',
  'compañía',
  'soporte',
  'técnico',
  'solicitud',
  'pago',
  'cuenta',
  'acción',
];

/** A deterministic PRNG (mulberry32): the same body every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The i-th record: HTML body of about `bodyBytes` UTF-8 bytes. */
function makeRecord(i: number, bodyBytes: number, variant: Variant, random: () => number) {
  const paragraphs: string[] = [];
  let size = 0;
  while (size < bodyBytes) {
    const words: string[] = [];
    for (let w = 0; w < 12; w++) words.push(WORDS[Math.floor(random() * WORDS.length)]);
    const paragraph = `<p class="msg">${words.join(' ')}.</p>\n`;
    paragraphs.push(paragraph);
    size += Buffer.byteLength(paragraph) + 2; // the escaped quotes
  }
  if (variant === 'emoji' && i % 10 === 0) paragraphs.push('<p>¡Gracias! 🎉</p>');
  const second = String(i % 60).padStart(2, '0');
  const minute = String(Math.floor(i / 60) % 60).padStart(2, '0');
  return {
    channel: i % 5 === 0 ? 'campaign-00042' : 'email-route-00017',
    date: `2026-03-01 10:${minute}:${second}`,
    from: 'soporte@example.com',
    to: `cliente${i}@example.com`,
    subject: `Confirmación de su solicitud #${i}`,
    body: paragraphs.join(''),
  };
}

function recordBodyBytes(targetBytes: number, records: number): number {
  // ~260 bytes of each record are the other five fields, keys and punctuation.
  return Math.max(100, Math.floor(targetBytes / records) - 260);
}

async function writeBody(
  path: string,
  records: number,
  targetBytes: number,
  variant: Variant,
): Promise<number> {
  const out = createWriteStream(path);
  const random = prng(42);
  const bodyBytes = recordBodyBytes(targetBytes, records);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`{"code":"200","error":null,"msg":"${records} records were found","data":[`);
  for (let i = 0; i < records; i++) {
    await write((i ? ',' : '') + JSON.stringify(makeRecord(i, bodyBytes, variant, random)));
  }
  await write(']}');
  out.end();
  await once(out, 'finish');
  return statSync(path).size;
}

/** Samples memory every few ms (between chunks; not inside a synchronous JSON.parse). */
function memorySampler() {
  const peak = { rss: 0, heapUsed: 0, external: 0 };
  const sample = (): void => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heapUsed = Math.max(peak.heapUsed, usage.heapUsed);
    peak.external = Math.max(peak.external, usage.external);
  };
  const timer = setInterval(sample, 5);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

async function runClientChild(
  strategy: Strategy,
  url: string,
): Promise<Omit<Measurement, 'variant'>> {
  const baselineRss = process.memoryUsage().rss;
  const sampler = memorySampler();
  const started = performance.now();
  let records: number;
  let invalid = 0;
  const keep: unknown[] = [];
  if (strategy === 'buffered') {
    const { body } = await request(url);
    const text = await body.text();
    sampler.sample();
    const envelope = JSON.parse(text) as { data: unknown[] };
    sampler.sample();
    for (const raw of envelope.data) {
      const checked = validateCdr9Record(raw);
      if (checked.ok) keep.push(checked);
      else invalid += 1;
    }
    records = keep.length;
    sampler.sample();
  } else if (strategy === 'streaming') {
    const { body } = await request(url);
    const parser = new EnvelopeStreamParser((raw) => {
      const checked = validateCdr9Record(raw);
      if (checked.ok) keep.push(checked);
      else invalid += 1;
    });
    for await (const chunk of body) parser.write(chunk as Buffer);
    parser.end();
    records = keep.length;
  } else {
    const timeZone = 'America/Bogota';
    const client = new WolkvoxClient({
      server: '0000',
      token: 'bench-token',
      baseUrl: url,
      timeZone,
      maxConcurrency: 1,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      budget: new DailyRequestBudget({ timeZone }),
    });
    const outcome = await client.fetchWindow({ from: 0, to: 86_400 });
    await client.close();
    if (outcome.kind !== 'records') throw new Error(`client got ${outcome.kind}`);
    keep.push(outcome.records);
    records = outcome.records.length;
    invalid = outcome.invalid.length;
  }
  const peak = sampler.stop();
  const ms = performance.now() - started;
  // The records are still referenced here, as they would be on their way to Kafka.
  if (keep.length === 0) throw new Error('nothing parsed');
  return {
    strategy,
    records,
    invalid,
    ms: Math.round(ms),
    peakRssMb: peakRss(),
    peakHeapUsedMb: Math.round(peak.heapUsed / MB),
    peakExternalMb: Math.round(peak.external / MB),
    baselineRssMb: Math.round(baselineRss / MB),
  };
}

/** Serves `records` records held in memory once, the given way; measures the serving process. */
async function runServeChild(
  strategy: Strategy,
  records: number,
  targetBytes: number,
  variant: Variant,
): Promise<Omit<Measurement, 'variant'>> {
  const random = prng(42);
  const bodyBytes = recordBodyBytes(targetBytes, records);
  const data = Array.from({ length: records }, (_, i) => makeRecord(i, bodyBytes, variant, random));
  const baselineRss = process.memoryUsage().rss;
  const sampler = memorySampler();
  let started = 0;
  const server = createServer((_req, res) => {
    started = performance.now();
    res.writeHead(200, { 'content-type': 'application/json' });
    if (strategy === 'serve-stringify') {
      res.end(
        JSON.stringify({ code: 200, error: null, msg: `${records} records were found`, data }),
      );
      sampler.sample();
      return;
    }
    void (async () => {
      res.write(`{"code":200,"error":null,"msg":"${records} records were found","data":[`);
      for (let i = 0; i < data.length; i++) {
        if (!res.write((i ? ',' : '') + JSON.stringify(data[i]))) await once(res, 'drain');
      }
      res.end(']}');
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const { body } = await request(`http://127.0.0.1:${port}/`);
  // The reader discards the bytes: only the server's memory is of interest here.
  for await (const _chunk of body) sampler.sample();
  const ms = performance.now() - started;
  const peak = sampler.stop();
  server.close();
  return {
    strategy,
    records: data.length,
    invalid: 0,
    ms: Math.round(ms),
    peakRssMb: peakRss(),
    peakHeapUsedMb: Math.round(peak.heapUsed / MB),
    peakExternalMb: Math.round(peak.external / MB),
    baselineRssMb: Math.round(baselineRss / MB),
  };
}

function peakRss(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024); // maxRSS is in KiB
}

function serveFile(path: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

function runChild(args: string[]): Promise<Omit<Measurement, 'variant'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'child', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as Omit<Measurement, 'variant'>);
      else reject(new Error(`child ${args.join(' ')} exited with ${code}`));
    });
  });
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'child') {
    const [strategy, target, records, bytes, variant] = process.argv.slice(3) as [
      Strategy,
      string,
      string,
      string,
      Variant,
    ];
    const result = strategy.startsWith('serve-')
      ? await runServeChild(strategy, Number(records), Number(bytes), variant)
      : await runClientChild(strategy, target);
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const records = option('records', 60_000);
  const targetBytes = option('bytes', 256 * MB);
  const dir = mkdtempSync(join(tmpdir(), 'parse-memory-'));
  const results: Measurement[] = [];
  try {
    for (const variant of ['latin1', 'emoji'] as const) {
      const file = join(dir, `${variant}.json`);
      const size = await writeBody(file, records, targetBytes, variant);
      process.stderr.write(`${variant}: ${records} records, ${(size / MB).toFixed(1)} MB body\n`);
      const { server, url } = await serveFile(file);
      try {
        for (const strategy of CLIENT_STRATEGIES) {
          results.push({
            ...(await runChild([strategy, url, String(records), String(targetBytes), variant])),
            variant,
          });
        }
      } finally {
        server.close();
      }
      for (const strategy of SERVE_STRATEGIES) {
        results.push({
          ...(await runChild([strategy, '-', String(records), String(targetBytes), variant])),
          variant,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header =
    '| variant | strategy | records | peak RSS MB | peak heapUsed MB | peak external MB | RSS before MB | ms |';
  const lines = [header, '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of results) {
    lines.push(
      `| ${r.variant} | ${r.strategy} | ${r.records} | ${r.peakRssMb} | ${r.peakHeapUsedMb} | ${r.peakExternalMb} | ${r.baselineRssMb} | ${r.ms} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
