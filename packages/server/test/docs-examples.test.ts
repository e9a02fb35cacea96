import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningSecret } from '../src/domain/secrets.ts';
import { signatureHeaders } from '../src/engine/signing.ts';

const RECEIVER = fileURLToPath(new URL('../../../docs/examples/receiver.mjs', import.meta.url));

describe('docs/examples/receiver.mjs', () => {
  const secret = generateSigningSecret();
  const child = spawn(process.execPath, [RECEIVER], {
    env: { PATH: process.env.PATH, KLANG_WEBHOOK_SECRET: secret, PORT: '0' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  afterAll(() => {
    child.kill();
  });

  async function port(): Promise<number> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const match = /listening on (\d+)/.exec(output);
      if (match) return Number(match[1]);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`receiver did not start: ${output}`);
  }

  it('accepts a signed delivery once and rejects a tampered one', async () => {
    const url = `http://127.0.0.1:${await port()}/`;
    const body = JSON.stringify({
      id: 'evt_doc',
      type: 'conversation.ready',
      created_at: new Date().toISOString(),
      data: { conversation: { id: 'conv_1', title: 'Weekly sync', url: null } },
    });
    const headers = {
      'content-type': 'application/json',
      ...signatureHeaders({ current: secret }, 'evt_doc', body, Date.now()),
    };
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(204);
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(204);
    expect(output.match(/verified conversation\.ready evt_doc \(conversation conv_1\)/g)).toHaveLength(1);

    const tampered = await fetch(url, { method: 'POST', headers, body: body.replace('Weekly', 'Daily') });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toEqual({ error: 'bad_signature' });
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(await unsigned.json()).toEqual({ error: 'missing_header' });
  });
});
