// A client generated from the committed docs/openapi.json (openapi-typescript + openapi-fetch)
// typechecks without casts and runs the whole webhook flow against a real server on 127.0.0.1, every
// answer validated against the schema of its status.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Engine, startEngine } from '../../src/engine/index.ts';
import { createReceiver, type Receiver } from '../engine/support/receiver.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken, type TestUser } from '../support/users.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const FLOW = join(root, 'packages/server/fixtures/generated-client-flow.ts');
const DOCUMENT = join(root, 'docs/openapi.json');
const bin = (name: string) => join(root, 'node_modules/.bin', name);

/** A project of its own: the generated types, the flow script and a strict tsconfig. */
async function generateClient(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'klang-client-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  await run(bin('openapi-typescript'), [DOCUMENT, '-o', join(dir, 'schema.ts')]);
  copyFileSync(FLOW, join(dir, 'flow.ts'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: join(root, 'tsconfig.base.json'), include: ['*.ts'] }),
  );
  return dir;
}

describeEachDatabase('generated API client on %s', (kind) => {
  let t: TestApp;
  let engine: Engine;
  let receiver: Receiver;
  let user: TestUser;
  let dir: string;
  let baseUrl: string;
  beforeAll(async () => {
    t = await createTestApp(kind, { KLANG_RETRY_SCHEDULE: '1h', KLANG_POLL_INTERVAL: '50ms' });
    engine = await startEngine(t.container);
    receiver = await createReceiver();
    user = await createUserWithToken(t, 'pro');
    baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
    dir = await generateClient();
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await engine?.stop();
    await t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uses no casts and typechecks against the generated types', async () => {
    const code = readFileSync(FLOW, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    expect(code).toMatch(/createClient<paths>/);
    expect(code).not.toMatch(/\bas\s+(unknown|any|[A-Z{[])|<[A-Za-z]+>\s*\w|!\./);
    await run(bin('tsc'), ['-p', dir]);
  }, 60_000);

  it('runs the whole webhook flow with every answer matching its schema', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(dir, 'flow.ts')], {
      cwd: dir,
      env: {
        ...process.env,
        KLANG_API_URL: baseUrl,
        KLANG_EMAIL: user.email,
        KLANG_PASSWORD: user.password,
        RECEIVER_URL: `${receiver.url}/hook`,
        OPENAPI_DOCUMENT: DOCUMENT,
      },
    });
    const result = JSON.parse(stdout);
    expect(result.me).toBe(user.email);
    expect(result.pages).toHaveLength(2);
    expect(result.statuses).toEqual(['paused', 'active', 'active']);
    expect(result.test_events.every((id: string) => id.startsWith('evt_test_'))).toBe(true);
    expect(JSON.parse(result.request_body).id).toBe(result.test_events[0]);
    expect(result.delivered).toBeGreaterThanOrEqual(1);
    expect(result.secrets[0]).not.toBe(result.secrets[1]);
    expect(result.refusals).toEqual(['validation_failed', 'webhook_not_found']);
    const operations = new Set(result.checked.map((line: string) => line.split(' ').slice(0, 2).join(' ')));
    expect(operations.size).toBeGreaterThanOrEqual(20);
    expect(result.checked).toEqual(
      expect.arrayContaining([
        'post /api/v1/webhooks/{id}/resume 200',
        'post /api/v1/webhooks/{id}/test 202',
        'get /api/v1/webhooks 422',
        'get /api/v1/me 401',
        'delete /api/v1/session 204',
      ]),
    );
  }, 60_000);
});
