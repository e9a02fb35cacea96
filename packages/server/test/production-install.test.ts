// A production install from a clean clone: `npm ci --omit=dev` (no dev tools: no tsx, no vitest)
// builds the server, SDK and UI during install, and `npm start` serves /healthz and the UI from
// compiled JavaScript. Slow (a native module may be compiled); the npm cache keeps it offline.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const hasGit = spawnSync('git', ['--version']).status === 0;
const here = fileURLToPath(new URL('.', import.meta.url));
const INSTALL_TIMEOUT_MS = 12 * 60_000;

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out:\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`));
    });
  });
}

describe.skipIf(!hasGit)(
  hasGit ? 'production install from a clean clone' : 'production install (skipped: git is not installed)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'klang-clone-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it(
      'npm ci --omit=dev, then npm start serves /healthz and the UI',
      async () => {
        const repo = (await run('git', ['rev-parse', '--show-toplevel'], here, 10_000)).trim();
        const head = (await run('git', ['rev-parse', 'HEAD'], here, 10_000)).trim();
        const clone = join(dir, 'repo');
        await run('git', ['clone', '--quiet', '--no-checkout', repo, clone], dir, 60_000);
        await run('git', ['checkout', '--quiet', head], clone, 60_000);
        await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], clone, INSTALL_TIMEOUT_MS);
        expect(existsSync(join(clone, 'packages/server/dist/cli.js'))).toBe(true);
        expect(existsSync(join(clone, 'packages/web/dist/index.html'))).toBe(true);
        expect(existsSync(join(clone, 'node_modules/vitest'))).toBe(false);

        const server = spawn('npm', ['start'], {
          cwd: clone,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, KLANG_PORT: '0', KLANG_LOG_LEVEL: 'warn' },
          detached: true,
        });
        const closed = new Promise((resolve) => server.once('close', resolve));
        let output = '';
        server.stdout.on('data', (chunk) => (output += chunk));
        server.stderr.on('data', (chunk) => (output += chunk));
        try {
          const deadline = Date.now() + 30_000;
          let url: string | undefined;
          while (!url && Date.now() < deadline && server.exitCode === null) {
            url = output.match(/running at (http:\/\/\S+)/)?.[1];
            if (!url) await new Promise((resolve) => setTimeout(resolve, 50));
          }
          expect(url, output).toBeDefined();
          expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
          const page = await fetch(`${url}/`);
          expect(page.status).toBe(200);
          expect(await page.text()).toMatch(/<div id="root">/);
        } finally {
          // npm runs the server as its child: signal the whole group this test started.
          if (server.pid !== undefined && server.exitCode === null) process.kill(-server.pid, 'SIGTERM');
          await closed;
        }
      },
      INSTALL_TIMEOUT_MS + 60_000,
    );
  },
);
