// Every failure hint and failure kind of the detail page links to a section that exists in the
// receiver guide.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headingSlug } from '../../server/src/http/routes/receiver-docs.ts';
import { failureHint } from '../src/lib/failure-hints.ts';
import { FAILURE_KIND_TEXT } from '../src/lib/failure-kinds.ts';

const guide = readFileSync(new URL('../../../docs/webhooks.md', import.meta.url), 'utf8');
const anchors = new Set([...guide.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingSlug(m[1]!)));

describe('failure hints and docs/webhooks.md', () => {
  it.each([
    ['redirect', 302],
    ['http_status', 401],
    ['http_status', 410],
    ['http_status', 429],
    ['http_status', 500],
    ['http_status', 404],
    ['timeout', null],
    ['tls_error', null],
    ['dns_error', null],
    ['connection_refused', null],
    ['blocked_address', null],
    ['network_error', null],
  ])('the hint for %s %s links to a heading of the guide', (error, status) => {
    const hint = failureHint({ outcome: 'failed', error, response_status: status });
    expect(anchors).toContain(hint!.anchor);
  });

  it.each(Object.entries(FAILURE_KIND_TEXT))(
    'failures of kind %s link to a heading of the guide',
    (_, text) => {
      expect(anchors).toContain(text.anchor);
    },
  );
});
