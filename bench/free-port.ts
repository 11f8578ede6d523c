import { createServer } from 'node:net';

/**
 * A TCP port free on loopback right now. With `pairWithNext` the port after it is free too (the
 * broker puts its controller listener on KAFKA_PORT + 1).
 */
export async function freePort(pairWithNext = false): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenOnce(0);
    if (!pairWithNext) return port;
    if (await isFree(port + 1)) return port;
  }
  throw new Error('no free pair of loopback ports found in 20 attempts');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

async function isFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}
