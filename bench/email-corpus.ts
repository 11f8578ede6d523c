import { formatWallTime, type WallSeconds } from '@app/contracts';
// mulberry32, as the simulator seeds its data: the same corpus on every run and machine, so runs compare.
import { mulberry32 } from '../apps/simulator/src/prng.js';

/** A cdr_9 record as the API sends it. */
export interface EmailRecord {
  channel: string;
  date: string;
  from: string;
  to: string;
  subject: string;
  body: string;
}

const WORDS = (
  'señor señora información atención cliente cita confirmación pedido envío factura número ' +
  'teléfono mañana gracias según próximo después más día año compañía soporte técnico ' +
  'solicitud pago cuenta acción dirección entrega garantía crédito débito sucursal horario ' +
  'promoción descuento válido hasta agradecemos su preferencia por favor responda este correo'
).split(' ');
const SENDERS = [
  'notificaciones@empresa.com.co',
  'soporte@empresa.com.co',
  'facturacion@empresa.com.co',
  'campañas@empresa.com.co',
];
const NAMES = ['Ana', 'José', 'María Fernanda', 'Andrés', 'Lucía', 'Óscar', 'Valentina', 'Iñaki'];
const SUBJECTS = [
  (n: number) => `Confirmación de su cita #${n}`,
  (n: number) => `Factura electrónica N° ${n}`,
  (n: number) => `Re: Solicitud ${n} — seguimiento`,
  (n: number) => `Su pedido ${n} está en camino`,
  (n: number) => `Promoción especial para usted (${n}) 🎉`,
];

/** Sizes of email bodies, in UTF-8 bytes of the body text. */
export type BodySize = (random: () => number) => number;

/** Mostly 1-4 KB, one in fifty between 10 and 50 KB (newsletters with inline styles). */
export const realisticBodySize: BodySize = (random) =>
  random() < 0.02 ? 10_000 + Math.floor(random() * 40_000) : 1_000 + Math.floor(random() * 3_000);

/**
 * Plausible emails of a contact center: HTML with inline styles, Spanish text with accents, a
 * table, links, an emoji now and then (one emoji makes V8 hold the whole body as two-byte
 * UTF-16, which is what real traffic does to a parser).
 */
export class EmailFactory {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  make(n: number, wall: WallSeconds, bodyBytes: number): EmailRecord {
    const r = this.random;
    const name = NAMES[Math.floor(r() * NAMES.length)];
    const to =
      r() < 0.1 ? `cliente${n}@example.com;copia${n}@example.org` : `cliente${n}@example.com`;
    return {
      channel:
        r() < 0.75
          ? `email-route-${String(1 + Math.floor(r() * 40)).padStart(5, '0')}`
          : `campaign-${String(1 + Math.floor(r() * 25)).padStart(5, '0')}`,
      date: formatWallTime(wall),
      from: SENDERS[Math.floor(r() * SENDERS.length)],
      to,
      subject: SUBJECTS[Math.floor(r() * SUBJECTS.length)](n),
      body: this.body(name, n, bodyBytes),
    };
  }

  private body(name: string, n: number, bytes: number): string {
    const r = this.random;
    const head =
      '<html><head><meta charset="utf-8"></head><body style="font-family:Arial,sans-serif;color:#333">' +
      `<p>Estimado(a) <b>${name}</b>,</p>`;
    const tail =
      `<table border="1" cellpadding="4"><tr><td>Referencia</td><td>${n}</td></tr></table>` +
      `<p><a href="https://empresa.example/casos/${n}?utm_source=email&amp;utm_medium=wolkvox">Ver su caso</a></p>` +
      (r() < 0.05 ? '<p>¡Gracias por elegirnos! 🙌</p>' : '') +
      '<p style="font-size:11px;color:#999">Este mensaje fue enviado automáticamente; no responda a esta dirección.</p></body></html>';
    const parts = [head];
    let size = Buffer.byteLength(head) + Buffer.byteLength(tail);
    while (size < bytes) {
      const words: string[] = [];
      const length = 10 + Math.floor(r() * 20);
      for (let w = 0; w < length; w++) words.push(WORDS[Math.floor(r() * WORDS.length)]);
      const paragraph = `<p>${words.join(' ')}.</p>\n`;
      parts.push(paragraph);
      size += Buffer.byteLength(paragraph);
    }
    parts.push(tail);
    return parts.join('');
  }
}

/** Wall seconds of `count` emails spread uniformly over `from..to`, sorted. */
export function sendTimes(
  count: number,
  from: WallSeconds,
  to: WallSeconds,
  seed: number,
): number[] {
  const random = mulberry32(seed);
  const walls = Array.from({ length: count }, () => from + Math.floor(random() * (to - from + 1)));
  return walls.sort((a, b) => a - b);
}

/** `count` emails with bodies sized by `size`. */
export function emailsOfSizes(
  count: number,
  walls: readonly WallSeconds[],
  size: BodySize,
  seed: number,
): EmailRecord[] {
  const factory = new EmailFactory(seed);
  const sizes = mulberry32(seed + 1);
  return walls.map((wall, i) => factory.make(i + 1, wall, size(sizes)));
}

/**
 * `count` emails whose response (the envelope the simulator writes) comes to `responseBytes`:
 * each body is sized so that the bytes written so far plus an even share of the rest land on
 * the total, which absorbs the overshoot of whole paragraphs.
 */
export function emailsOfResponseSize(
  count: number,
  walls: readonly WallSeconds[],
  responseBytes: number,
  seed: number,
): EmailRecord[] {
  const factory = new EmailFactory(seed);
  const envelope = `{"code":200,"error":null,"msg":"${count} records were found","data":[]}`;
  let remaining = responseBytes - Buffer.byteLength(envelope) - (count - 1);
  const records: EmailRecord[] = [];
  for (let i = 0; i < count; i++) {
    const share = remaining / (count - i);
    const probe = factory.make(i + 1, walls[i], 0);
    const overhead = jsonBytes({ ...probe, body: '' });
    // The body's JSON escapes (the quotes of HTML attributes) add about 1.5% to its text.
    const record = factory.make(i + 1, walls[i], Math.max(0, (share - overhead) / 1.015));
    remaining -= jsonBytes(record);
    records.push(record);
  }
  return records;
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
