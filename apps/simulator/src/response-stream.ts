import type { ServerResponse } from 'node:http';

/** Writes with backpressure; resolves false when the client went away. */
export function writeChunk(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

export function finish(res: ServerResponse, last: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    // 'finish' never comes when the connection dies first; 'close' always does.
    const onClose = (): void => resolve(res.writableFinished);
    res.once('close', onClose);
    res.end(last, () => {
      res.off('close', onClose);
      resolve(true);
    });
  });
}

/** Waits `ms`, or less if the client goes away; resolves whether the client is still there. */
export function waitUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

/** Small writes are batched into chunks of about this many characters. */
export const FLUSH_AT = 64 * 1024;

/** Streams `items` as one JSON array with backpressure (the truth of a big run is hundreds of MB). */
export async function sendJsonArray<T>(
  res: ServerResponse,
  items: readonly T[],
  map: (item: T) => unknown,
): Promise<boolean> {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  let pending = '[';
  for (let i = 0; i < items.length; i++) {
    pending += (i ? ',' : '') + JSON.stringify(map(items[i]));
    if (pending.length >= FLUSH_AT) {
      if (!(await writeChunk(res, pending))) return false;
      pending = '';
    }
  }
  return finish(res, `${pending}]`);
}
