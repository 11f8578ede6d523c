import { formatWallTime, type WallSeconds } from '@app/contracts';
import { Random } from './prng.js';
import { storedRecord, type StoredRecord } from './record-store.js';
import type { ZoneClock } from './zone-clock.js';

/** A burst: `count` emails spread over `seconds` from `at` (a campaign going out). */
export interface Burst {
  at: WallSeconds;
  count: number;
  seconds: number;
}

/** What the seeded data set holds. Rates are shares of the generated emails, in [0, 1]. */
export interface GenerationSettings {
  /** First and last wall second (inclusive) of the steady traffic. */
  from: WallSeconds;
  to: WallSeconds;
  emailsPerHour: number;
  bursts: Burst[];
  /** Emails sent twice, identical in every field. */
  duplicateRate: number;
  /** Emails that the API returns only some time after their `date`. */
  lateRate: number;
  lateMaxSeconds: number;
  /**
   * Emails the contracts reject: an impossible date, a date in another format or not a string,
   * a missing field, a number or null for a string.
   */
  invalidRate: number;
  /** Of those, the share the API reports twice, identical (as it does valid ones): none unless set. */
  invalidDuplicateRate?: number;
  /** Emails with a body of about `largeBodyBytes`. */
  largeBodyRate: number;
  largeBodyBytes: number;
}

const SENDERS = [
  'notificaciones@empresa.com.co',
  'soporte@empresa.com.co',
  'facturacion@empresa.com.co',
  'campañas@empresa.com.co',
];
const NAMES = [
  'Ana',
  'José',
  'María Fernanda',
  'Iñaki',
  'Zoë',
  'Ngọc Anh',
  'Søren',
  'Łucja',
  'Chloé',
];
const SUBJECTS = [
  (n: number) => `Confirmación de su cita #${n}`,
  (n: number) => `Factura electrónica N° ${n}`,
  (n: number) => `Re: Solicitud ${n} — seguimiento`,
  (n: number) => `🎉 Promoción especial para usted (${n})`,
  (n: number) => `订单确认 ${n}`,
  (n: number) => `"Urgente": caso ${n} <actualizado>`,
];
const BODIES = [
  (name: string, n: number) =>
    `Hola ${name},\n\nSu solicitud ${n} fue recibida.\nGracias por escribirnos.`,
  (name: string, n: number) =>
    `<html><body><p style="color:#333">Estimado(a) <b>${name}</b>,</p>` +
    `<p>Su pedido <a href="https://tienda.example/pedidos/${n}?ref=email&amp;x=1">#${n}</a> está en camino.</p>` +
    `<table border="1"><tr><td>Artículo</td><td>$ 12.500</td></tr></table></body></html>`,
  (name: string, n: number) =>
    `${name}: 你好 👋 مرحبا — ¡gracias! Ünïcödé ✓ 🇨🇴 ref ${n}\u2028línea\ttabulada`,
  (name: string, n: number) =>
    `Ruta: C:\\Users\\${name}\\caso_${n}.pdf — JSON: {"id": ${n}, "ok": true} — comillas "dobles" y 'simples'`,
];

/**
 * Makes plausible cdr_9 records: routing points and campaigns, Spanish and other scripts,
 * HTML, escapes that JSON must carry. The number `n` keeps every email distinct.
 */
export class RecordFactory {
  readonly #random: Random;

  constructor(seed: string) {
    this.#random = new Random(seed);
  }

  make(wall: WallSeconds, n: number, largeBodyBytes = 0): Record<string, unknown> {
    const random = this.#random;
    const name = random.pick(NAMES);
    const channel = random.chance(0.75)
      ? `email-route-${String(random.int(1, 40)).padStart(5, '0')}`
      : `campaign-${String(random.int(1, 25)).padStart(5, '0')}`;
    const to = random.chance(0.1)
      ? `cliente${n}@example.com;copia${n}@example.org`
      : `cliente${n}@example.com`;
    let body = random.pick(BODIES)(name, n);
    if (largeBodyBytes > 0) body = largeBody(body, largeBodyBytes);
    return {
      channel,
      date: formatWallTime(wall),
      from: random.pick(SENDERS),
      to,
      subject: random.pick(SUBJECTS)(n),
      body,
    };
  }

  /**
   * Breaks a record the way a real feed might; the API files it under its intended second. Half
   * the kinds leave no usable date (the poller cannot tell the second from the record itself).
   */
  corrupt(record: Record<string, unknown>): Record<string, unknown> {
    const broken = { ...record };
    const date = String(record.date);
    switch (this.#random.int(0, 5)) {
      case 0:
        // February 30th: well formed, not a real day.
        broken.date = `${date.slice(0, 4)}-02-30${date.slice(10)}`;
        break;
      case 1:
        delete broken[this.#random.pick(['subject', 'to', 'body', 'from'])];
        break;
      case 2:
        broken.to = this.#random.int(1000, 99999);
        break;
      case 3:
        // Day first and no seconds: a date, but not in the API's format.
        broken.date = `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)} ${date.slice(11, 16)}`;
        break;
      case 4:
        // The right digits as a number: the wrong type.
        broken.date = Number(date.replace(/\D/g, ''));
        break;
      default:
        broken[this.#random.pick(['subject', 'channel'])] = null;
    }
    return broken;
  }
}

function largeBody(seed: string, bytes: number): string {
  const paragraph = `<p>${seed}</p>\n`;
  return paragraph.repeat(Math.max(1, Math.ceil(bytes / Buffer.byteLength(paragraph))));
}

/**
 * The seeded data set. Emails are placed uniformly at random over the range (plus bursts),
 * then sorted, so the same seed and settings give the same records in the same order.
 */
export function generateRecords(
  settings: GenerationSettings,
  seed: string,
  clock: ZoneClock,
): StoredRecord[] {
  const random = new Random(`${seed}:times`);
  const span = settings.to - settings.from + 1;
  const steady = span > 0 ? Math.round((settings.emailsPerHour * span) / 3600) : 0;
  const total = steady + settings.bursts.reduce((sum, burst) => sum + burst.count, 0);
  const walls = new Float64Array(total);
  let filled = 0;
  for (let i = 0; i < steady; i++) walls[filled++] = settings.from + random.int(0, span - 1);
  for (const burst of settings.bursts) {
    for (let i = 0; i < burst.count; i++)
      walls[filled++] = burst.at + random.int(0, burst.seconds - 1);
  }
  walls.sort();

  const factory = new RecordFactory(`${seed}:records`);
  const traits = new Random(`${seed}:traits`);
  const records: StoredRecord[] = [];
  for (let n = 0; n < total; n++) {
    const wall = walls[n];
    const large = traits.chance(settings.largeBodyRate) ? settings.largeBodyBytes : 0;
    let record = factory.make(wall, n + 1, large);
    if (traits.chance(settings.invalidRate)) record = factory.corrupt(record);
    let visibleAt = clock.instantMs(wall);
    if (traits.chance(settings.lateRate)) {
      visibleAt += traits.int(1, Math.max(1, settings.lateMaxSeconds)) * 1000;
    }
    const stored = storedRecord(record, wall, visibleAt);
    records.push(stored);
    // The same email twice, as Wolkvox sometimes reports it: one object, two rows.
    if (traits.chance(settings.duplicateRate)) records.push(stored);
    // Drawn only when asked for, so that data sets without it stay as they were.
    if (
      !stored.valid &&
      settings.invalidDuplicateRate &&
      traits.chance(settings.invalidDuplicateRate)
    )
      records.push(stored);
  }
  return records;
}
