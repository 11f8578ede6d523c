import { createServer } from 'node:net';

/*
 * Loopback ports for the project's tools: the tests, the bench and the CI scripts start
 * simulators, pollers and brokers on them.
 */

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, for a simulator, a poller or a
 * subscriber. Not the kernel's choice (port 0): that comes from the ephemeral range, where every
 * outgoing connection (the Kafka clients make many) takes its local port, and one of them can
 * take it between this check and the server's bind, which then fails with EADDRINUSE. A random
 * port below that range, and below the brokers' (freeBrokerPort), is left alone by both.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 10_000);
    if (await isFree(port)) return port;
  }
  throw new Error('no free loopback port below the ephemeral range in 50 attempts');
}

/**
 * A port for a broker: free, with the port after it free too (broker.sh puts the controller
 * listener on KAFKA_PORT + 1), or the `count` ports from it for a cluster, and below Linux's ephemeral range (32768 and up by default), so
 * that the clients' own outgoing connections, which take their local ports from that range, do
 * not take the controller's port between this check and the broker's start.
 */
export async function freeBrokerPort(count = 2): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await allFree(port, count)) return port;
  }
  throw new Error(
    `no ${count} free loopback ports in a row below the ephemeral range in 50 attempts`,
  );
}

async function allFree(from: number, count: number): Promise<boolean> {
  for (let port = from; port < from + count; port++) if (!(await isFree(port))) return false;
  return true;
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
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
