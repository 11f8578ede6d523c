import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { resolveOptions, type SimulatorOptionsInput } from './simulator-options.js';
import { SimulatorModule } from './simulator.module.js';
import { SimulatorState } from './simulator-state.js';

export interface RunningSimulator {
  /** `http://host:port`, the base URL to give the client. */
  url: string;
  port: number;
  state: SimulatorState;
  /** Stops live traffic, drops open connections (hung calls too) and closes the server. */
  close(): Promise<void>;
}

/** Starts a simulator on real sockets (port 0 picks a free one), in this process. */
export async function startSimulator(input: SimulatorOptionsInput = {}): Promise<RunningSimulator> {
  const options = resolveOptions(input);
  const state = new SimulatorState(options);
  const app = await NestFactory.create<NestExpressApplication>(SimulatorModule.forState(state), {
    logger: options.logger ? ['log', 'warn', 'error'] : false,
  });
  // Appending a burst of 60,000 records through the control API is a big body.
  app.useBodyParser('json', { limit: '1gb' });
  await app.listen(options.port, options.host);
  const server: Server = app.getHttpServer();
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    state,
    async close() {
      state.close();
      // Keep-alive sockets and hung calls would hold server.close() open.
      server.closeAllConnections();
      await app.close();
    },
  };
}
