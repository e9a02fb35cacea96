// A receiver whose connection is reset after it sent its status line (the answer lost in flight): the
// attempt fails as a reset and the delivery is retried with the same webhook-id, then succeeds.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../support/databases.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';

interface RawReceiver {
  url: string;
  /** The webhook-id header of each request, in arrival order. */
  ids: string[];
  close(): Promise<void>;
}

/** Answers the first request with a status line and a TCP reset, every later one with 200. */
async function resettingReceiver(): Promise<RawReceiver> {
  const ids: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      ids.push(/\r\nwebhook-id: *([^\r\n]+)/i.exec(head)?.[1] ?? '');
      head = '';
      if (ids.length === 1) {
        socket.write('HTTP/1.1 200 OK\r\n', () => socket.resetAndDestroy());
      } else {
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    ids,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(DATABASE_KINDS)('connection faults (%s)', (kind) => {
  let harness: EngineHarness;
  let receiver: RawReceiver;

  afterEach(async () => {
    await harness?.dispose();
    await receiver?.close();
  });

  it('retries with the same webhook-id after a reset that follows the status line', async () => {
    harness = await startHarness(kind);
    receiver = await resettingReceiver();
    const { conversationId, webhook } = await harness.setup(receiver.url);
    const eventId = await harness.publish(conversationId);
    const delivery = await harness.settled(eventId, webhook.id, ['succeeded', 'failed']);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(receiver.ids).toEqual([eventId, eventId]);
    const [first, second] = await harness.attempts(webhook.id);
    expect(first).toMatchObject({ outcome: 'failed', error: 'connection_reset', response_status: null });
    expect(second).toMatchObject({ outcome: 'succeeded', response_status: 200, response_body: 'ok' });
  });
});
