import type { Cdr9Record } from '@app/contracts';

/** A cdr_9 record at `date` (wall clock), told apart from others by `n`; `extra` overrides. */
export function email(date: string, n: number, extra: Partial<Cdr9Record> = {}): Cdr9Record {
  return {
    channel: 'campaign-7',
    date,
    from: 'a@x.co',
    to: `c${n}@x.co`,
    subject: `s${n}`,
    body: `b${n}`,
    ...extra,
  };
}
