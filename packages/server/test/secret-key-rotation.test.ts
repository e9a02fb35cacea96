// `rotate-secret-key` on a real SQLite service: a delivery verifies before, the signing secrets are
// re-encrypted under the new key (a second run finds nothing left to do), the data dir holds the new
// key, and after a restart a delivery still verifies with the same signing secret.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/db/connect.ts';
import { createSecretBox } from '../src/domain/secrets.ts';
import { answer, createReceiver, type Receiver, waitFor } from './engine/support/receiver.ts';
import { runCli, startServer } from './support/cli-process.ts';
import { insertConversation, insertUser, insertWebhook } from './support/fixtures.ts';

const INGEST = 'rotation-ingest-token-0123456';

describe('rotate-secret-key', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'klang-rotate-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const env = {
    KLANG_PORT: '0',
    KLANG_INGEST_TOKEN: INGEST,
    KLANG_ALLOW_PRIVATE_TARGETS: 'true',
    KLANG_DEMO: 'false',
  };

  async function deliverOnce(receiver: Receiver, conversation: string, count: number) {
    const server = startServer(['serve'], env, cwd);
    const [, url] = await server.waitForOutput(/running at (http:\/\/\S+)/);
    const published = await fetch(`${url}/internal/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'conversation.ready', conversation_id: conversation }),
    });
    expect(published.status).toBe(202);
    await waitFor(() => receiver.requests.length === count, 15_000, `delivery ${count}`);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    return receiver.requests[count - 1]!;
  }

  it('re-encrypts every signing secret, resumably, and deliveries verify before and after', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    mkdirSync(join(cwd, 'data'), { mode: 0o700 });
    writeFileSync(join(cwd, 'data', 'secret.key'), `${oldKey.toString('hex')}\n`, { mode: 0o600 });
    writeFileSync(join(cwd, 'new.key'), newKey.toString('base64'), { mode: 0o600 });
    const receiver = await createReceiver();
    receiver.respond(answer(200));
    try {
      expect((await runCli(['migrate'], env, cwd)).code).toBe(0);
      const database = connectDatabase(`sqlite:${join(cwd, 'data', 'klang.db')}`);
      let conversation: string;
      let secret: string;
      try {
        const owner = await insertUser(database.db, 'pro');
        conversation = await insertConversation(database.db, owner);
        ({ secret } = await insertWebhook(database.db, createSecretBox(oldKey), owner, {
          url: `${receiver.url}/hook`,
        }));
        await insertWebhook(database.db, createSecretBox(oldKey), owner, { status: 'paused' });
      } finally {
        await database.close();
      }
      const verify = (request: { body: string; headers: Record<string, string> }) =>
        new Webhook(secret).verify(request.body, request.headers);
      expect(verify(await deliverOnce(receiver, conversation, 1))).toMatchObject({
        type: 'conversation.ready',
      });

      const rotated = await runCli(['rotate-secret-key', '--new-key-file', join(cwd, 'new.key')], env, cwd);
      expect(rotated).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^Re-encrypted 2, already under the new key 0,/),
      });
      expect(readFileSync(join(cwd, 'data', 'secret.key'), 'utf8').trim()).toBe(newKey.toString('hex'));
      // Run again (as after an interruption): nothing left to do.
      const again = await runCli(['rotate-secret-key', '--new-key-file', join(cwd, 'new.key')], env, cwd);
      expect(again.stdout).toMatch(/^Re-encrypted 0, already under the new key 2,/);

      const after = await deliverOnce(receiver, conversation, 2);
      expect(verify(after)).toMatchObject({ type: 'conversation.ready' });
    } finally {
      await receiver.close();
    }
  });

  it('refuses a new key file that does not hold 32 bytes', async () => {
    writeFileSync(join(cwd, 'short.key'), 'abcd');
    const result = await runCli(['rotate-secret-key', '--new-key-file', join(cwd, 'short.key')], env, cwd);
    expect(result).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--new-key-file must hold 32 bytes/),
    });
  });
});
