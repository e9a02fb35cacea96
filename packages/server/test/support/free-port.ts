// A TCP port on 127.0.0.1 that nothing listens on, for a child process that needs its port named
// up front (a PostgreSQL cluster, a receiver example, Prometheus).
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
