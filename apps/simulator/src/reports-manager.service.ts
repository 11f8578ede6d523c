import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  checkToken,
  EMPTY_WINDOW,
  envelopeCode,
  found,
  MAINTENANCE,
  QUOTA_EXCEEDED,
  readWindow,
  SERVER_ERROR,
  tooManySimultaneous,
  type ApiAnswer,
  type QueryParams,
} from './api-rules.js';
import type { CallLogEntry } from './call-log.js';
import { sendEnvelope, sendMalformed, sendProxyPage } from './envelope-writer.js';
import { waitUnlessClosed } from './response-stream.js';
import { coveredSeconds } from './record-store.js';
import { SimulatorState } from './simulator-state.js';

/**
 * One call to `reports_manager.php`, answered the way Wolkvox does, in this order: the token,
 * the daily quota (every call with the token counts), the concurrency limit, the injected
 * fault, the parameters, then the window as the configured reading of its bounds covers it: the
 * first `truncationLimit` visible records in the configured order (oldest, newest or shuffled).
 */
@Injectable()
export class ReportsManagerService {
  constructor(private readonly sim: SimulatorState) {}

  async answer(req: IncomingMessage, res: ServerResponse, params: QueryParams): Promise<void> {
    const { sim } = this;
    const sentToken = firstHeader(req.headers['wolkvox-token']);
    const entry = sim.calls.open({
      receivedAt: new Date(sim.clock.nowMs()).toISOString(),
      api: params.api,
      dateIni: params.date_ini,
      dateEnd: params.date_end,
      token:
        sentToken === undefined || sentToken === ''
          ? 'missing'
          : sentToken === sim.token
            ? 'valid'
            : 'wrong',
      concurrency: sim.inFlight,
      status: null,
      outcome: 'client-closed',
    });
    res.once('close', () => {
      entry.finishedAt = new Date(sim.clock.nowMs()).toISOString();
      if (!res.writableFinished && entry.status !== null) entry.outcome = 'client-closed';
    });

    const refused = checkToken(sentToken, sim.token);
    if (refused) return void (await this.#send(res, entry, refused));

    sim.inFlight += 1;
    entry.concurrency = sim.inFlight;
    res.once('close', () => {
      // A call the client gave up on may still run on the server and hold its slot.
      const hold = res.writableFinished ? 0 : sim.settings.abandonedHoldMs;
      if (hold === 0) sim.inFlight -= 1;
      else setTimeout(() => (sim.inFlight -= 1), hold).unref();
    });
    const withinQuota = sim.quota.spend();
    entry.quotaUsed = sim.quota.used;
    if (!withinQuota) return void (await this.#send(res, entry, QUOTA_EXCEEDED));
    if (sim.inFlight > sim.settings.maxConcurrency) {
      return void (await this.#send(res, entry, tooManySimultaneous(sim.settings.maxConcurrency)));
    }

    const draw = sim.faults.draw();
    if (!(await waitUnlessClosed(res, draw.latencyMs))) return;
    entry.fault = draw.fault;
    switch (draw.fault) {
      case 'reset':
        entry.outcome = 'reset';
        req.socket.destroy();
        return;
      case 'maintenance':
        return void (await this.#send(res, entry, MAINTENANCE));
      case 'server-error':
        if (draw.serverErrorStatus === 500)
          return void (await this.#send(res, entry, SERVER_ERROR));
        this.#mark(entry, draw.serverErrorStatus, 'server-error');
        return void (await sendProxyPage(res, draw.serverErrorStatus));
      case 'malformed':
        this.#mark(entry, 200, 'malformed');
        return void (await sendMalformed(res, this.#code(200)));
      case 'hang':
        entry.outcome = 'hang';
        // Longer than any client timeout; should the client still wait, it gets its answer.
        if (!(await waitUnlessClosed(res, sim.faults.settings.hangMs))) return;
        break;
      case undefined:
        break;
    }

    const window = readWindow(params);
    if ('status' in window) return void (await this.#send(res, entry, window));
    const covered = coveredSeconds(window, sim.settings.bounds);
    const records =
      covered.from > covered.to
        ? []
        : sim.store.query({
            ...covered,
            nowMs: sim.clock.nowMs(),
            limit: sim.settings.truncationLimit,
            order: sim.settings.order,
            random: () => sim.responseRandom.next(),
          });
    if (records.length === 0) {
      if (sim.settings.emptyAnswer === 'not-found')
        return void (await this.#send(res, entry, EMPTY_WINDOW));
      // Another reading of an empty window: a 200 that found 0 records, with no data or [].
      this.#mark(entry, 200, 'empty');
      const head = { ...found(0), code: this.#code(200) };
      return void (await sendEnvelope(
        res,
        head,
        sim.settings.emptyAnswer === 'empty-array' ? [] : undefined,
      ));
    }
    entry.returned = records.length;
    this.#mark(entry, 200, 'data');
    await sendEnvelope(
      res,
      { ...found(records.length), code: this.#code(200) },
      records.map((stored) => stored.record),
    );
  }

  #send(res: ServerResponse, entry: CallLogEntry, answer: ApiAnswer): Promise<boolean> {
    this.#mark(entry, answer.status, answer.outcome);
    return sendEnvelope(res, { ...answer, code: this.#code(answer.status) });
  }

  #mark(entry: CallLogEntry, status: number, outcome: CallLogEntry['outcome']): void {
    entry.status = status;
    entry.outcome = outcome;
  }

  #code(status: number): number | string {
    return envelopeCode(status, this.sim.settings.codeStyle, this.sim.responseRandom.next());
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
