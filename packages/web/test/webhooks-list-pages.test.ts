// The webhooks list shows every webhook, however many pages GET /api/v1/webhooks takes to list them
// (the page follows next_cursor), in Chromium against a real server.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './support/chromium.ts';
import { type KlangServer, startKlangServer } from './support/klang-server.ts';
import { callApi, openUi, type UiPage } from './support/ui-page.ts';

const COUNT = 23;

describe.skipIf(browserSkipReason)('webhooks list beyond one page in Chromium', () => {
  let server: KlangServer;
  let browser: Browser;
  let ui: UiPage;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startKlangServer(), launchChromium()]);
    ui = await openUi(browser, server.url);
    await ui.signIn(server.demo.email, server.demo.password);
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await browser?.close();
    await server?.stop();
  });

  it(`lists all ${COUNT} webhooks, more than the API's default page of 20`, { timeout: 60_000 }, async () => {
    const before = await callApi(ui, 'GET', '/webhooks?limit=100');
    const existing = (before.body.data as unknown[]).length;
    for (let i = 1; i <= COUNT; i++) {
      const created = await callApi(ui, 'POST', '/webhooks', {
        url: `https://hooks.example.com/page-test/${i}`,
        description: `Paged hook ${i}`,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    const firstPage = await callApi(ui, 'GET', '/webhooks');
    expect(firstPage.body.next_cursor).toEqual(expect.any(String));
    await ui.page.goto('/settings/developers/webhooks');
    await ui.page.getByText(`Paged hook ${COUNT}`, { exact: true }).waitFor();
    for (let i = 1; i <= COUNT; i++) {
      expect(await ui.page.getByText(`Paged hook ${i}`, { exact: true }).count(), `hook ${i}`).toBe(1);
    }
    expect(await ui.page.getByRole('button', { name: /actions/ }).count()).toBe(existing + COUNT);
    expect(ui.consoleErrors).toEqual([]);
  });
});
