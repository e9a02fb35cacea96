import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headingSlug, renderGuide } from '../src/http/routes/receiver-docs.ts';
import { createTestApp, type TestApp } from './support/app.ts';

describe('headingSlug', () => {
  it.each([
    ['Signature rejected (401 or 403)', 'signature-rejected-401-or-403'],
    ['Server errors (5xx)', 'server-errors-5xx'],
    ['Node.js with `@klang-webhooks/sdk`', 'nodejs-with-klang-webhookssdk'],
    ['Answer, retries and auto-pause', 'answer-retries-and-auto-pause'],
  ])('%s → #%s (as GitHub names it)', (heading, slug) => {
    expect(headingSlug(heading)).toBe(slug);
  });
});

describe('the receiver guide at /help/webhooks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.dispose());

  it('renders docs/webhooks.md with an anchor per heading, unframeable', async () => {
    const page = await t.app.inject('/help/webhooks');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.body).toContain('<h2 id="troubleshooting">');
    expect(page.body).toContain('<h3 id="signature-rejected-401-or-403">');
    expect(page.body).toContain('<h3 id="timeouts">');
  });

  it('serves the screenshots and examples the guide links to', async () => {
    const page = await t.app.inject('/help/webhooks');
    const image = /<img src="(screenshots\/[^"]+)"/.exec(page.body)?.[1];
    expect(image).toBeDefined();
    const png = await t.app.inject(`/help/${image}`);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect((await t.app.inject('/help/examples/receiver.mjs')).statusCode).toBe(200);
    expect((await t.app.inject('/help/examples/../webhooks.md')).statusCode).toBe(404);
  });

  it('escapes the title it takes from the document', () => {
    expect(renderGuide('# A <script> title\n')).toContain('<title>A &#60;script&#62; title · Klang</title>');
  });
});
