import type { ServerResponse } from 'node:http';
import { FLUSH_AT, finish, writeChunk } from './response-stream.js';

export interface EnvelopeHead {
  status: number;
  code: number | string;
  error: string | null;
  msg: string;
}

/**
 * Sends `{"code","error","msg","data":[...]}` (no `data` when `records` is undefined), one
 * record at a time with backpressure: a 256 MB answer never exists as one string
 * (libs/wolkvox-client/PARSING.md measured that at 3 to 4 times the memory). Resolves false
 * when the client went away first.
 */
export async function sendEnvelope(
  res: ServerResponse,
  head: EnvelopeHead,
  records?: Iterable<unknown>,
): Promise<boolean> {
  if (res.destroyed) return false;
  res.writeHead(head.status, { 'content-type': 'application/json; charset=utf-8' });
  const opening = JSON.stringify({ code: head.code, error: head.error, msg: head.msg });
  if (records === undefined) return finish(res, opening);
  let pending = `${opening.slice(0, -1)},"data":[`;
  let first = true;
  for (const record of records) {
    pending += (first ? '' : ',') + JSON.stringify(record);
    first = false;
    if (pending.length >= FLUSH_AT) {
      if (!(await writeChunk(res, pending))) return false;
      pending = '';
    }
  }
  return finish(res, `${pending}]}`);
}

/** A 200 whose JSON stops in the middle of a record, as a proxy dropping the connection would leave it. */
export function sendMalformed(res: ServerResponse, code: number | string): Promise<boolean> {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  return finish(
    res,
    `{"code":${JSON.stringify(code)},"error":null,"msg":"2 records were found","data":[{"channel":"email-route-00001","date":"2026-`,
  );
}

/** An HTML error page from the proxy in front of the API (not an envelope). */
export function sendProxyPage(res: ServerResponse, status: number): Promise<boolean> {
  res.writeHead(status, { 'content-type': 'text/html' });
  return finish(
    res,
    `<html><head><title>${status}</title></head><body><h1>${status}</h1></body></html>`,
  );
}
