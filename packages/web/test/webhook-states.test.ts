// The states a webhook passes through, in Chromium against a real server and receiver: failing
// (the warning, the hint of a failed attempt, response times and failures by kind), auto-paused
// (the banner, Resume), the free plan's upgrade notice, and the pages at 1024 px.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './support/chromium.ts';
import { type KlangServer, startKlangServer } from './support/klang-server.ts';
import { eventually, type Receiver, startReceiver } from './support/receiver.ts';
import { callApi, openUi, type UiPage } from './support/ui-page.ts';

const AUTO_PAUSE_AFTER = 3;

describe.skipIf(browserSkipReason)('webhook states in Chromium', () => {
  let server: KlangServer;
  let receiver: Receiver;
  let browser: Browser;
  let ui: UiPage;
  let webhookId: string;

  const publish = async () => {
    const answer = await server.host('POST', '/events', {
      type: 'conversation.ready',
      conversation_id: 'conv_demo_weekly',
    });
    expect(answer.status).toBe(202);
  };
  const expectAccessible = async () => expect(await ui.accessibilityViolations()).toEqual([]);

  beforeAll(async () => {
    [server, receiver, browser] = await Promise.all([
      startKlangServer({
        KLANG_AUTO_PAUSE_AFTER: String(AUTO_PAUSE_AFTER),
        // Failed attempts wait an hour for their retry: each event fails exactly once here.
        KLANG_RETRY_SCHEDULE: '1h,1h,1h,1h,1h,1h',
      }),
      startReceiver(),
      launchChromium(),
    ]);
    ui = await openUi(browser, server.url);
    await ui.signIn(server.demo.email, server.demo.password);
    const created = await callApi(ui, 'POST', '/webhooks', {
      url: receiver.url,
      description: 'Billing sync',
    });
    expect(created.status).toBe(201);
    webhookId = created.body.id as string;
  });
  afterAll(async () => {
    await ui?.close();
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  });

  it('warns while failing and explains a rejected attempt', { timeout: 60_000 }, async () => {
    const { page } = ui;
    receiver.answer(401, '{"error":"invalid signature"}');
    await publish();
    await page.goto(`/settings/developers/webhooks/${webhookId}`);
    await page
      .getByText(`1 consecutive failure — Klang pauses this webhook after ${AUTO_PAUSE_AFTER}`)
      .waitFor();
    const row = page.getByTestId('attempt-row').first();
    await expect(row.innerText()).resolves.toContain('401');
    await row.getByTestId('failure-hint').getByText('signature check failed', { exact: false }).waitFor();
    await expect(row.innerText()).resolves.toMatch(/Retry in (\d+ min|1 h)/);
    // The 24-hour stats: the answered attempt's response times, and the failure under its kind.
    const kinds = page.getByRole('list', { name: 'Failures by kind' });
    await kinds.getByRole('listitem').first().waitFor({ timeout: 15_000 });
    await expect(kinds.innerText()).resolves.toMatch(/^Rejected \(4xx\)\s+1$/);
    const kindLink = kinds.getByRole('link', { name: 'Rejected (4xx)' });
    expect(await kindLink.getAttribute('href')).toBe('/help/webhooks#other-4xx');
    const figures = await page.getByLabel('24-hour stats').innerText();
    expect(figures).toMatch(/response time p50\s+\d+ ms\s+avg\. \d+ ms/i);
    expect(figures).toMatch(/response time p95\s+\d+ ms/i);
    await ui.screenshot('webhook-failing');
    await expectAccessible();

    await row.click();
    const drawer = page.getByRole('dialog', { name: /attempt 1/ });
    const hint = drawer.getByTestId('failure-hint');
    await hint.getByText('Your endpoint rejected the request').waitFor();
    const link = hint.getByRole('link', { name: 'Troubleshooting' });
    expect(await link.getAttribute('href')).toBe('/help/webhooks#signature-rejected-401-or-403');
    await drawer.getByText('Next retry:').waitFor();
    await expect(drawer.getByLabel('Response body').innerText()).resolves.toContain('invalid signature');
    await ui.screenshot('attempt-failed');
    await expectAccessible();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  });

  it('shows why and since when it was auto-paused, and resumes', { timeout: 60_000 }, async () => {
    const { page } = ui;
    for (let i = 1; i < AUTO_PAUSE_AFTER; i++) await publish();
    const banner = page.getByRole('alert').filter({ hasText: 'This webhook was paused automatically' });
    await banner.waitFor({ timeout: 15_000 });
    await banner
      .getByText(`Paused automatically after ${AUTO_PAUSE_AFTER} consecutive failed attempts`)
      .waitFor();
    await banner.getByText('Since').waitFor();
    expect(await page.getByRole('switch', { name: 'Receiving events' }).isChecked()).toBe(false);
    await ui.screenshot('webhook-auto-paused');
    await expectAccessible();

    receiver.answer(200);
    await banner.getByRole('button', { name: 'Resume' }).click();
    const dialog = page.getByRole('dialog', { name: 'Resume receiving events' });
    await dialog.getByRole('button', { name: 'Resume' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await banner.waitFor({ state: 'detached' });
    expect(await page.getByRole('switch', { name: 'Receiving events' }).isChecked()).toBe(true);
    const before = receiver.requests.length;
    await publish();
    await eventually(() => receiver.requests.length > before, 15_000);
  });

  it('lays the pages out at 1280 and 1024 px', { timeout: 60_000 }, async () => {
    // A list as a customer has it: several webhooks, one of them paused.
    const slack = await callApi(ui, 'POST', '/webhooks', {
      url: `${receiver.url}/slack`,
      description: 'Post finished meetings to #sales-calls',
      events: ['conversation.ready'],
    });
    await callApi(ui, 'POST', '/webhooks', {
      url: `${receiver.url}/warehouse`,
      description: 'Data warehouse ingestion',
    }).then((w) => callApi(ui, 'POST', `/webhooks/${w.body.id}/pause`));
    expect(slack.status).toBe(201);
    for (let i = 0; i < 3; i++) await publish();
    await ui.page.goto('/settings/developers/webhooks');
    await ui.page.getByText('Post finished meetings to #sales-calls').waitFor();
    await eventually(async () => (await ui.page.getByText('4 delivered').count()) > 0, 15_000);
    await ui.screenshot('webhooks-list');

    const narrow = await openUi(browser, server.url, { width: 1024, height: 800 });
    try {
      await narrow.signIn(server.demo.email, server.demo.password);
      await narrow.page.getByRole('table', { name: 'Webhooks' }).waitFor();
      const overflow = await narrow.page.evaluate(
        () => document.documentElement.scrollWidth > window.innerWidth,
      );
      expect(overflow).toBe(false);
      await narrow.screenshot('webhooks-list');
      await narrow.page.getByRole('link', { name: /hooks\/klang$/ }).click();
      await narrow.page.getByRole('switch', { name: 'Receiving events' }).waitFor();
      await narrow.page.getByTestId('attempt-row').first().waitFor();
      const narrowKinds = narrow.page.getByRole('list', { name: 'Failures by kind' });
      await expect(narrowKinds.innerText()).resolves.toMatch(
        new RegExp(`Rejected \\(4xx\\)\\s+${AUTO_PAUSE_AFTER}`),
      );
      expect(await narrow.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(
        false,
      );
      // The deliveries table fits its panel: no sideways scrolling to reach a row's retry or Resend.
      const tableScrolls = await narrow.page.evaluate(() => {
        let box = document.querySelector('table[aria-label="Latest deliveries"]')?.parentElement ?? null;
        while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
        return box ? box.scrollWidth > box.clientWidth : 'no scroll container';
      });
      expect(tableScrolls).toBe(false);
      await narrow.screenshot('webhook-detail', { fullPage: true });
      expect(await narrow.accessibilityViolations()).toEqual([]);
      expect(narrow.consoleErrors).toEqual([]);
    } finally {
      await narrow.close();
    }
  });

  it('resends a delivery that gave up, and pages through older attempts', { timeout: 60_000 }, async () => {
    const { page } = ui;
    await page.goto(`/settings/developers/webhooks/${webhookId}`);
    // 410 Gone ends the retries of an event: its row offers Resend.
    receiver.answer(410, '{"error":"gone"}');
    await publish();
    const gone = page.getByTestId('attempt-row').filter({ hasText: '410' }).first();
    await gone.getByRole('button', { name: 'Resend' }).waitFor({ timeout: 15_000 });
    receiver.answer(200);
    const before = receiver.requests.length;
    await gone.getByRole('button', { name: 'Resend' }).click();
    await eventually(() => receiver.requests.length > before, 15_000);
    const resent = receiver.requests.at(-1)!;
    const goneId = receiver.requests.at(-2)!.headers['webhook-id'];
    expect(resent.headers['webhook-id']).toBe(goneId);
    await page.getByTestId('attempt-row').filter({ hasText: '#2' }).first().waitFor({ timeout: 10_000 });

    // A body with a NUL byte is stored exactly and shown readably, with a note.
    receiver.answer(200, 'binary\u0000body');
    const sent = receiver.requests.length;
    await publish();
    const binaryId = await eventually(
      () =>
        receiver.requests.slice(sent).find((r) => r.body.includes('conv_demo_weekly'))?.headers['webhook-id'],
      15_000,
    );
    await page
      .getByTestId('attempt-row')
      .filter({ hasText: String(binaryId) })
      .click();
    const drawer = page.getByRole('dialog', { name: /attempt 1/ });
    await drawer.getByText('The body is not UTF-8 text', { exact: false }).waitFor();
    await expect(drawer.getByLabel('Response body').innerText()).resolves.toBe('binary␀body');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    receiver.answer(200);

    // More attempts than a page holds: Older and Newer walk the cursor pages.
    for (let i = 0; i < 20; i++) await publish();
    await eventually(async () => (await page.getByRole('button', { name: 'Older' }).count()) > 0, 15_000);
    const firstPage = await page.getByTestId('attempt-row').allInnerTexts();
    expect(firstPage).toHaveLength(20);
    await page.getByRole('button', { name: 'Older' }).click();
    await page.getByText('Page 2').waitFor();
    const secondPage = await page.getByTestId('attempt-row').allInnerTexts();
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.some((row) => firstPage.includes(row))).toBe(false);
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.getByText('Page 1').waitFor();
  });

  it('offers an upgrade instead of Create webhook on the free plan', { timeout: 30_000 }, async () => {
    const user = await server.host('PUT', '/users/usr_free_browser', {
      email: 'free@klang.example',
      plan: 'free',
      password: 'free-plan-password-1',
    });
    expect(user.status).toBe(200);
    const free = await openUi(browser, server.url);
    try {
      await free.signIn('free@klang.example', 'free-plan-password-1');
      await free.page.getByText('Webhooks are available on the Pro and Team plans').waitFor();
      expect(await free.page.getByRole('button', { name: 'Create webhook' }).count()).toBe(0);
      await free.screenshot('webhooks-free-plan');
      expect(await free.accessibilityViolations()).toEqual([]);
      expect(free.consoleErrors).toEqual([]);
    } finally {
      await free.close();
    }
    expect(ui.consoleErrors).toEqual([]);
  });
});
