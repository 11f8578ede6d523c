import { createServer, type Server } from 'node:net';
import { portProblem, portUnavailable } from './http-port.js';

describe('portUnavailable', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => taken.close(resolve)));

  it('names a port another process holds, and frees one it could bind', async () => {
    expect(await portUnavailable(port)).toBe('EADDRINUSE');
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '0.0.0.0', resolve));
    const freePort = (free.address() as { port: number }).port;
    await new Promise((resolve) => free.close(resolve));
    expect(await portUnavailable(freePort)).toBeUndefined();
    // Bound and released: the port is usable again right after the check.
    expect(await portUnavailable(freePort)).toBeUndefined();
  });

  it('says it in one line', () => {
    expect(portProblem(8080, 'EADDRINUSE')).toBe(
      'HTTP_PORT: port 8080 is in use by another process; stop it or choose another HTTP_PORT',
    );
  });
});
