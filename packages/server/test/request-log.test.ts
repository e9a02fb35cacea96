// The request log of a real server process: one JSON line per request with method, route pattern,
// status, duration and request id, and nothing of the credentials or the query it carried.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServer } from './support/cli-process.ts';

describe('the request log', () => {
  let server: ServerProcess;
  let base: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klang-request-log-'));
    server = startServer(
      ['serve'],
      {
        KLANG_DATA_DIR: dir,
        KLANG_DATABASE_URL: `sqlite:${join(dir, 'k.db')}`,
        KLANG_PORT: '0',
        KLANG_LOG_LEVEL: 'info',
      },
      dir,
    );
    base = (await server.waitForOutput(/running at (http:\/\/\S+)/))[1]!;
  }, 60_000);
  afterAll(() => {
    server?.child.kill('SIGKILL');
  });

  it('writes one line per request, without its token or query', async () => {
    const answer = await fetch(`${base}/api/v1/webhooks/wh_01jd0000000000000000000000?secret=q-value-1`, {
      headers: { authorization: 'Bearer kwt_request_log_secret_value' },
    });
    expect(answer.status).toBe(401);
    const match = await server.waitForOutput(/^\{.*"msg":"request".*\}$/m);
    const line = JSON.parse(match[0]) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/api/v1/webhooks/:id',
      status: 401,
      reqId: expect.stringMatching(/^req_/),
    });
    expect(typeof line.duration_ms).toBe('number');
    expect(server.output()).not.toContain('kwt_request_log_secret_value');
    expect(server.output()).not.toContain('q-value-1');
  });
});
