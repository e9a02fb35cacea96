// Every verification example under docs/examples/, run as its own process on 127.0.0.1: it must accept
// a real delivery from the running engine and a rotation-time double signature, and reject a tampered
// body and a stale timestamp. A toolchain missing locally skips its example; under CI=true none skip.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventJsonSchema } from '../src/domain/event-catalog.ts';
import { generateSigningSecret } from '../src/domain/secrets.ts';
import { signatureHeaders } from '../src/engine/signing.ts';
import { type EngineHarness, startHarness } from './engine/support/engine.ts';
import { waitFor } from './engine/support/receiver.ts';
import { freePort } from './support/free-port.ts';

const EXAMPLES = fileURLToPath(new URL('../../../docs/examples/', import.meta.url));
const SUPPORT = fileURLToPath(new URL('./support/', import.meta.url));
const IN_CI = process.env.CI === 'true';

const succeeds = (command: string, args: string[]) =>
  spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const hasCommand = (command: string) => succeeds('sh', ['-c', `command -v ${command}`]);
/** The first Python 3 that can import Flask (Debian's python3-flask serves /usr/bin/python3). */
const flaskPython = ['python3', '/usr/bin/python3'].find((python) =>
  succeeds(python, ['-c', 'import flask']),
);

interface Example {
  file: string;
  /** The command that serves the example on `port`. */
  command(port: number): string[];
  /** What must be installed; an empty list means it runs everywhere. */
  missing: string[];
}

const node = (file: string, ...flags: string[]): Example => ({
  file,
  command: () => [process.execPath, ...flags, `${EXAMPLES}${file}`],
  missing: [],
});
const tool = (file: string, needs: string, command: (port: number) => string[]): Example => ({
  file,
  command,
  missing: hasCommand(needs) ? [] : [needs],
});

const examples: Example[] = [
  node('receiver.mjs'),
  node('standardwebhooks.mjs'),
  node('express.mjs'),
  node('fastify.mjs'),
  {
    file: 'nextjs-route.ts',
    command: () => [
      process.execPath,
      '--import',
      'tsx',
      `${SUPPORT}route-handler-server.mjs`,
      `${EXAMPLES}nextjs-route.ts`,
    ],
    missing: [],
  },
  tool('receiver.py', 'python3', () => ['python3', `${EXAMPLES}receiver.py`]),
  {
    file: 'flask-receiver.py',
    command: () => [flaskPython ?? 'python3', `${EXAMPLES}flask-receiver.py`],
    missing: flaskPython ? [] : ['python3 with flask (python3-flask)'],
  },
  tool('receiver.go', 'go', () => ['go', 'run', `${EXAMPLES}receiver.go`]),
  tool('receiver.rb', 'ruby', () => ['ruby', `${EXAMPLES}receiver.rb`]),
  tool('receiver.php', 'php', (port) => ['php', '-S', `127.0.0.1:${port}`, `${EXAMPLES}receiver.php`]),
  tool('verify-signature.sh', 'openssl', () => [
    process.execPath,
    `${SUPPORT}shell-recipe-receiver.mjs`,
    `${EXAMPLES}verify-signature.sh`,
  ]),
];

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket.end() !== undefined));
    socket.on('error', () => resolve(false));
  });

const ajv = new Ajv2020.default({ strict: true });
addFormats.default(ajv);
const matchesSchema = ajv.compile(eventJsonSchema('conversation.failed'));

interface Running {
  child: ChildProcess;
  output: () => string;
  /** True once the port accepts connections; throws as soon as the process has exited. */
  listening(port: number): Promise<boolean>;
  stop(): void;
}

/** Starts the example in its own process group (so `go run` and its binary stop together). */
function start(example: Example, port: number, secret: string): Running {
  const [command, ...args] = example.command(port);
  const child = spawn(command!, args, {
    cwd: EXAMPLES,
    detached: true,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, KLANG_WEBHOOK_SECRET: secret, PORT: String(port) },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  child.on('error', (error) => (output += `could not start ${command}: ${error.message}\n`));
  return {
    child,
    output: () => output,
    async listening(port) {
      if (child.exitCode !== null || child.signalCode !== null || output.includes('could not start')) {
        throw new Error(`${example.file} exited (${child.exitCode ?? child.signalCode})`);
      }
      return accepts(port);
    },
    stop: () => {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    },
  };
}

describe('docs/examples verify what the server sends', () => {
  let harness: EngineHarness;
  beforeAll(async () => {
    harness = await startHarness('sqlite');
  });
  afterAll(() => harness?.dispose());

  /** The exact request the engine sent for the event's first attempt. */
  async function sentRequest(eventId: string, webhookId: string) {
    const [attempt] = await harness.attempts(webhookId);
    const event = await harness.database.db
      .selectFrom('events')
      .select('payload')
      .where('id', '=', eventId)
      .executeTakeFirstOrThrow();
    return { attempt: attempt!, headers: JSON.parse(attempt!.request_headers), body: event.payload };
  }

  const skipReason = (example: Example) =>
    example.missing.length > 0 && !IN_CI ? ` (skipped: ${example.missing.join(', ')} not installed)` : '';

  for (const example of examples) {
    it.skipIf(skipReason(example) !== '')(
      `${example.file}${skipReason(example)}`,
      { timeout: 120_000 },
      async () => {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}/webhooks/klang`;
        const { conversationId, webhook } = await harness.setup(url);
        const running = start(example, port, webhook.secret);
        try {
          await waitFor(() => running.listening(port), 90_000, `${example.file} to listen`).catch((error) => {
            throw new Error(`${error.message}\n${running.output()}`);
          });
          const eventId = await harness.publish(conversationId, 'conversation.failed');
          const delivery = await harness.settled(eventId, webhook.id);
          const { attempt, headers, body } = await sentRequest(eventId, webhook.id);
          expect(attempt.response_status, running.output()).toBe(204);
          expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1 });
          expect(matchesSchema(JSON.parse(body)), 'the delivered payload matches its JSON Schema').toBe(true);
          await waitFor(
            () => running.output().includes(`verified conversation.failed ${eventId}`),
            5_000,
            'the log',
          );

          const post = (h: Record<string, string>, b: string) =>
            fetch(url, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: b });
          const tampered = body.replace('"conversation.failed"', '"conversation.ready"');
          expect((await post(headers, tampered)).status).toBe(401);

          const stale = signatureHeaders(
            { current: webhook.secret },
            eventId,
            body,
            Date.now() - 10 * 60_000,
          );
          expect((await post(stale, body)).status).toBe(401);

          const rotated = {
            current: generateSigningSecret(),
            previous: webhook.secret,
            previousExpiresAt: Date.now() + 60_000,
          };
          const both = signatureHeaders(rotated, eventId, body, Date.now());
          expect(both['webhook-signature'].split(' ')).toHaveLength(2);
          expect((await post(both, body)).status).toBe(204);
          expect(
            (await post({ ...both, 'webhook-signature': both['webhook-signature'].split(' ')[0]! }, body))
              .status,
          ).toBe(401);
        } finally {
          running.stop();
        }
      },
    );
  }
});
