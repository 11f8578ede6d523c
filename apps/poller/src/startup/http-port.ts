import { createServer } from 'node:net';

/**
 * Whether the HTTP port can be bound, tried before Nest, Kafka and the poll loop start: a port
 * taken by another process is a configuration problem worth one line, not a stack trace after
 * the whole start-up. Resolves with the error code when it cannot (EADDRINUSE, EACCES).
 */
export function portUnavailable(port: number, host = '0.0.0.0'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** The configuration error line for a port that cannot be bound. */
export function portProblem(port: number, code: string): string {
  const why = code === 'EADDRINUSE' ? 'is in use by another process' : `cannot be bound (${code})`;
  return `HTTP_PORT: port ${port} ${why}; stop it or choose another HTTP_PORT`;
}
