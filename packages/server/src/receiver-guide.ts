// Fills the generated parts of docs/webhooks.md: per event type an example payload and the JSON Schema
// (from the event catalog), a signing walk-through (from the engine's signing code) and each example file.
import { buildPayload, EVENT_TYPES, type EventType, eventJsonSchema } from './domain/event-catalog.ts';
import { sign } from './engine/signing.ts';
import { USER_AGENT } from './engine/user-agent.ts';

const GENERATED = /<!-- generated: ([a-z-]+) -->\n[\s\S]*?<!-- end generated -->/g;
const INCLUDE = /<!-- include: (examples\/[\w.-]+) -->\n[\s\S]*?<!-- end include -->/g;

const LANGUAGES: Record<string, string> = {
  mjs: 'js',
  ts: 'ts',
  py: 'python',
  go: 'go',
  rb: 'ruby',
  php: 'php',
  sh: 'sh',
};

const fence = (language: string, text: string) => `\`\`\`${language}\n${text.replace(/\n$/, '')}\n\`\`\``;
const json = (value: unknown) => JSON.stringify(value, null, 2);

const EXAMPLE_IDS: Record<EventType, string> = {
  'conversation.ready': 'evt_01m8d871r63t33m7pqrggb0r0t',
  'conversation.failed': 'evt_01m8d8g0c3k3x1m6r0a9d1f2gq',
  'conversation.deleted': 'evt_01m8d8p2w5c9e0h7t4b6n3k8xz',
};

/** The payload the server builds for an event of this type (a fixed id, time and conversation). */
export function examplePayload(type: EventType) {
  return buildPayload({
    id: EXAMPLE_IDS[type],
    type,
    createdAt: new Date('2026-11-26T10:15:00.000Z'),
    conversation: {
      id: 'conv_123',
      title: 'Weekly sync',
      url: 'https://app.klang.example/conversations/conv_123',
    },
    ...(type === 'conversation.failed'
      ? { error: { code: 'audio_unreadable', message: 'The file has no audio track.' } }
      : {}),
  });
}

function eventSchemasSection(): string {
  return EVENT_TYPES.map((type) =>
    [
      `### \`${type}\``,
      '',
      String(eventJsonSchema(type).description),
      '',
      'Example:',
      '',
      fence('json', json(examplePayload(type))),
      '',
      'JSON Schema:',
      '',
      fence('json', json(eventJsonSchema(type))),
    ].join('\n'),
  ).join('\n\n');
}

/** A documented secret and request, signed by the same code that signs every delivery. */
export const SIGNING_EXAMPLE = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'evt_01m8d871r63t33m7pqrggb0r0t',
  timestamp: 1795740000,
  body: JSON.stringify(examplePayload('conversation.ready')),
};

function signingExampleSection(): string {
  const { secret, id, timestamp, body } = SIGNING_EXAMPLE;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return [
    'Check your code against this request before pointing a webhook at it:',
    '',
    '| Input | Value |',
    '|---|---|',
    `| secret | \`${secret}\` |`,
    `| key (hex, after decoding) | \`${key.toString('hex')}\` |`,
    `| \`webhook-id\` | \`${id}\` |`,
    `| \`webhook-timestamp\` | \`${timestamp}\` |`,
    '',
    'Body (the exact bytes, no trailing newline):',
    '',
    fence('json', body),
    '',
    `Expected \`webhook-signature\`: \`${sign(secret, id, timestamp, body)}\``,
  ].join('\n');
}

function requestExampleSection(): string {
  const { secret, id, timestamp, body } = SIGNING_EXAMPLE;
  const lines = [
    'POST /webhooks/klang HTTP/1.1',
    'content-type: application/json',
    `user-agent: ${USER_AGENT}`,
    `webhook-id: ${id}`,
    `webhook-timestamp: ${timestamp}`,
    `webhook-signature: ${sign(secret, id, timestamp, body)}`,
    '',
    body,
  ];
  return fence('http', lines.join('\n'));
}

const SECTIONS: Record<string, () => string> = {
  'request-example': requestExampleSection,
  'event-schemas': eventSchemasSection,
  'signing-example': signingExampleSection,
};

/** The guide with every generated section and included example rewritten from the sources. */
export function renderReceiverGuide(markdown: string, readExample: (path: string) => string): string {
  return markdown
    .replace(GENERATED, (_match, name: string) => {
      const section = SECTIONS[name];
      if (!section) throw new Error(`unknown generated section ${name}`);
      return `<!-- generated: ${name} -->\n${section()}\n<!-- end generated -->`;
    })
    .replace(INCLUDE, (_match, path: string) => {
      const language = LANGUAGES[path.split('.').pop() ?? ''] ?? '';
      return `<!-- include: ${path} -->\n${fence(language, readExample(path))}\n<!-- end include -->`;
    });
}

/** The example files the guide includes, in order. */
export const includedExamples = (markdown: string): string[] =>
  [...markdown.matchAll(INCLUDE)].map((match) => match[1]!);
