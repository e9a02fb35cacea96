// Closing an HTTP app on SIGTERM: stop listening, answer the requests in flight, and close each
// keep-alive connection as soon as it is idle (a load balancer's pooled connections would otherwise
// hold the process for the keep-alive timeout); past `timeoutMs` every connection is cut.
import type { FastifyInstance } from 'fastify';

const IDLE_SWEEP_MS = 50;

export async function closeGracefully(app: FastifyInstance, timeoutMs: number): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  const cut = setTimeout(() => app.server.closeAllConnections(), timeoutMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}
