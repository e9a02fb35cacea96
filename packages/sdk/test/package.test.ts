// `npm pack` of the SDK, built in a copy of the package, installed offline into a fresh project and
// used from `import`, `require` and TypeScript (both module kinds), with no runtime dependencies.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SDK = join(REPO, 'packages/sdk');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const run = (cwd: string, command: string, args: string[]) =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });

/** Copies the package beside a copy of the base tsconfig and packs it there (never touching dist). */
function packCopy(work: string): { tarball: string; files: string[] } {
  const copy = join(work, 'repo/packages/sdk');
  mkdirSync(copy, { recursive: true });
  for (const entry of [
    'package.json',
    'README.md',
    'src',
    'scripts',
    'tsconfig.build.json',
    'tsconfig.cjs.json',
  ]) {
    cpSync(join(SDK, entry), join(copy, entry), { recursive: true });
  }
  cpSync(join(REPO, 'tsconfig.base.json'), join(work, 'repo/tsconfig.base.json'));
  symlinkSync(join(REPO, 'node_modules'), join(work, 'repo/node_modules'), 'dir');
  const [result] = JSON.parse(
    run(copy, 'npm', ['pack', '--json', '--pack-destination', work]).replace(/^[^[]*/s, ''),
  );
  return { tarball: join(work, result.filename), files: result.files.map((f: { path: string }) => f.path) };
}

const USE_ESM = `import { isConversationReadyEvent, signWebhook, verifyWebhook, WebhookVerificationError } from '@klang-webhooks/sdk';
const body = '{"id":"evt_1","type":"conversation.ready","created_at":"2026-11-26T10:15:00.000Z","data":{"conversation":{"id":"conv_1","title":null,"url":null}}}';
const timestamp = Math.floor(Date.now() / 1000);
const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook({ id: 'evt_1', timestamp, body, secret: '${SECRET}' }) };
const event = verifyWebhook(body, headers, '${SECRET}');
let reason;
try { verifyWebhook(body + ' ', headers, '${SECRET}'); } catch (error) { reason = error instanceof WebhookVerificationError && error.reason; }
console.log(JSON.stringify({ ready: isConversationReadyEvent(event), id: event.id, reason }));
`;
const USE_CJS = USE_ESM.replace(
  /^import \{(.*)\} from '@klang-webhooks\/sdk';/,
  "const {$1} = require('@klang-webhooks/sdk');",
);
const USE_TS = `import { isConversationFailedEvent, type KlangEvent, verifyWebhook } from '@klang-webhooks/sdk';
export function handle(raw: string, headers: Headers): string {
  const event: KlangEvent = verifyWebhook(raw, headers, ['${SECRET}']);
  return isConversationFailedEvent(event) ? event.data.error.message : event.data.conversation.id;
}
`;

describe('the packed SDK in a fresh project', () => {
  const work = mkdtempSync(join(tmpdir(), 'klang-sdk-pack-'));
  const app = join(work, 'app');
  let packed: { tarball: string; files: string[] };
  beforeAll(() => {
    packed = packCopy(work);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    run(app, 'npm', ['install', packed.tarball, '--offline', '--no-audit', '--no-fund']);
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the ESM and CJS builds with types and the README, no sources or tests', () => {
    expect(packed.files).toEqual(
      expect.arrayContaining([
        'README.md',
        'package.json',
        'dist/esm/index.js',
        'dist/esm/index.d.ts',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'dist/cjs/package.json',
      ]),
    );
    expect(packed.files.filter((file) => !/^(dist\/|README\.md$|package\.json$)/.test(file))).toEqual([]);
  });

  it('installs with no runtime dependencies', () => {
    expect(readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual([
      '@klang-webhooks',
    ]);
  });

  it('resolves import to the ESM build and require to the CommonJS build', () => {
    const cjs = "console.log(require.resolve('@klang-webhooks/sdk'))";
    expect(run(app, process.execPath, ['-e', cjs])).toMatch(/dist\/cjs\/index\.js\n$/);
    const esm = "console.log(import.meta.resolve('@klang-webhooks/sdk'))";
    expect(run(app, process.execPath, ['--input-type=module', '-e', esm])).toMatch(/dist\/esm\/index\.js\n$/);
  });

  it.each([
    ['import', 'use.mjs', USE_ESM],
    ['require', 'use.cjs', USE_CJS],
  ])('works from %s', (_kind, file, source) => {
    writeFileSync(join(app, file), source);
    expect(JSON.parse(run(app, process.execPath, [file]))).toEqual({
      ready: true,
      id: 'evt_1',
      reason: 'bad_signature',
    });
  });

  it('typechecks TypeScript consumers of both module kinds (.mts, .cts)', () => {
    for (const file of ['use.mts', 'use.cts']) writeFileSync(join(app, file), USE_TS);
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const types = ['--types', 'node', '--typeRoots', join(REPO, 'node_modules/@types')];
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', ...types];
    expect(() => run(app, process.execPath, [tsc, ...args, 'use.mts', 'use.cts'])).not.toThrow();
  });
});
