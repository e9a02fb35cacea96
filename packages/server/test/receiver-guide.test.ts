// docs/webhooks.md stays generated from the sources: event schemas and examples from the catalog,
// the signing walk-through from the engine, every docs/examples file included verbatim.
import { readdirSync, readFileSync } from 'node:fs';
import { verifyWebhook } from '@klang-webhooks/sdk';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, eventJsonSchema } from '../src/domain/event-catalog.ts';
import {
  examplePayload,
  includedExamples,
  renderReceiverGuide,
  SIGNING_EXAMPLE,
} from '../src/receiver-guide.ts';

const DOCS = new URL('../../../docs/', import.meta.url);
const guide = readFileSync(new URL('webhooks.md', DOCS), 'utf8');
const readExample = (path: string) => readFileSync(new URL(path, DOCS), 'utf8');

const ajv = new Ajv2020.default({ strict: true, allErrors: true });
addFormats.default(ajv);

describe('docs/webhooks.md', () => {
  it('is up to date (run `npm run docs` after changing the catalog, the signing code or an example)', () => {
    expect(renderReceiverGuide(guide, readExample)).toBe(guide);
  });

  it('notices a stale example', () => {
    const stale = renderReceiverGuide(guide, (path) => `${readExample(path)}// changed\n`);
    expect(stale).not.toBe(guide);
  });

  it('includes every file of docs/examples', () => {
    const files = readdirSync(new URL('examples/', DOCS)).map((file) => `examples/${file}`);
    expect(includedExamples(guide).sort()).toEqual(files.sort());
  });

  it('shows, for every event type, its JSON Schema and an example that the schema accepts', () => {
    for (const type of EVENT_TYPES) {
      const schema = eventJsonSchema(type);
      expect(guide).toContain(JSON.stringify(schema, null, 2));
      expect(guide).toContain(JSON.stringify(examplePayload(type), null, 2));
      expect(ajv.validate(schema, examplePayload(type)), ajv.errorsText()).toBe(true);
    }
  });

  it('publishes schemas that reject payloads of the wrong shape', () => {
    const failed = examplePayload('conversation.failed');
    const schema = eventJsonSchema('conversation.failed');
    expect(ajv.validate(schema, { ...failed, data: { conversation: failed.data.conversation } })).toBe(false);
    expect(ajv.validate(schema, { ...failed, type: 'conversation.ready' })).toBe(false);
    expect(ajv.validate(schema, { ...failed, created_at: 'yesterday' })).toBe(false);
  });

  it('gives a worked signature that independent verifiers accept', () => {
    const { secret, id, timestamp, body } = SIGNING_EXAMPLE;
    const signature = /Expected `webhook-signature`: `(v1,[^`]+)`/.exec(guide)?.[1];
    expect(guide).toContain(`webhook-signature: ${signature}`);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature!,
    };
    const options = { now: new Date(timestamp * 1000) };
    expect(verifyWebhook(body, headers, secret, options).id).toBe(id);
    const standard = new Webhook(secret);
    expect(() => standard.verify(body, headers)).toThrow(/timestamp/i);
    expect(standard.sign(id, new Date(timestamp * 1000), body)).toBe(signature);
  });
});
