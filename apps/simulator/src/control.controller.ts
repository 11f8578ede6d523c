import { BadRequestException, Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import {
  AppendRecordsBody,
  FaultsBody,
  LiveBody,
  parseBody,
  ResetBody,
  SettingsBody,
  TokenBody,
  toStoredRecords,
} from './control-api.js';
import { truthEntry } from './record-store.js';
import { SimulatorState } from './simulator-state.js';
import { sendJsonArray } from './response-stream.js';

/**
 * The control API for tests and the demo; no token. Never exposed where the real API's
 * clients are: it exists only in the simulator.
 */
@Controller('control')
export class ControlController {
  constructor(private readonly sim: SimulatorState) {}

  @Get('status')
  status() {
    return this.sim.status();
  }

  /** Appends records: `{ records: [{ record, visibleAt?, indexDate? }] }`. */
  @Post('records')
  @HttpCode(200)
  append(@Body() body: unknown) {
    const records = checked(() =>
      toStoredRecords(parseBody(AppendRecordsBody, body), this.sim.clock),
    );
    return { appended: this.sim.append(records), total: this.sim.store.size };
  }

  /** Every record with the wall time it is filed under and when it becomes visible, streamed. */
  @Get('truth')
  async truth(@Res() res: ServerResponse): Promise<void> {
    await sendJsonArray(res, this.sim.store.all(), truthEntry);
  }

  /** The calls received on the API path, oldest first. */
  @Get('calls')
  calls() {
    return this.sim.calls.entries();
  }

  @Post('faults')
  @HttpCode(200)
  faults(@Body() body: unknown) {
    return this.sim.faults.update(checked(() => parseBody(FaultsBody, body)));
  }

  @Post('settings')
  @HttpCode(200)
  settings(@Body() body: unknown) {
    return this.sim.updateSettings(checked(() => parseBody(SettingsBody, body)));
  }

  /** `{ data?: 'generated' | 'empty' }`: back to the start of the run. */
  @Post('reset')
  @HttpCode(200)
  reset(@Body() body: unknown) {
    this.sim.reset(checked(() => parseBody(ResetBody, body)).data);
    return this.sim.status();
  }

  /** `{ token }`: the admins regenerated the token; the answer never repeats it. */
  @Post('token')
  @HttpCode(200)
  token(@Body() body: unknown) {
    this.sim.rotatedToken = checked(() => parseBody(TokenBody, body)).token;
    return { rotated: true };
  }

  /** `{ perSecond }`: live traffic dated "now"; 0 stops it. */
  @Post('live')
  @HttpCode(200)
  live(@Body() body: unknown) {
    this.sim.live.set(checked(() => parseBody(LiveBody, body)).perSecond);
    return { perSecond: this.sim.live.perSecond };
  }
}

function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new BadRequestException((error as Error).message);
  }
}
