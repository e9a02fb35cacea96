// Forms in Chromium against a server that allows only public HTTPS targets: the server's validation
// messages at the field (nothing stored), a webhook created with the keyboard alone (focus back where
// it was when a dialog closes), and the sign-in errors including the throttling message.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './support/chromium.ts';
import { type KlangServer, startKlangServer } from './support/klang-server.ts';
import { callApi, openUi, type UiPage } from './support/ui-page.ts';

/** A public IPv4 literal: accepted without a DNS lookup (nothing is sent to it in these tests). */
const PUBLIC_URL = 'https://93.184.215.14/klang/webhooks';

describe.skipIf(browserSkipReason)('webhook forms in Chromium', () => {
  let server: KlangServer;
  let browser: Browser;
  let ui: UiPage;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startKlangServer({ KLANG_ALLOW_PRIVATE_TARGETS: 'false' }),
      launchChromium(),
    ]);
    ui = await openUi(browser, server.url);
    await ui.signIn(server.demo.email, server.demo.password);
  });
  afterAll(async () => {
    await ui?.close();
    await browser?.close();
    await server?.stop();
  });

  it('shows the server validation message at the URL field and stores nothing', {
    timeout: 30_000,
  }, async () => {
    const { page } = ui;
    await page.getByRole('button', { name: 'Create webhook' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create webhook' });
    const url = dialog.getByRole('textbox', { name: 'URL' });

    await url.fill('http://example.com/hook');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('URL scheme "http" is not allowed; use https').waitFor();
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    await ui.screenshot('create-webhook-invalid');
    expect(await ui.accessibilityViolations()).toEqual([]);

    await url.fill('https://10.1.2.3/hook');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText(/URL destination is not allowed: 10\.1\.2\.3 is .*private/).waitFor();

    for (const box of await dialog.getByRole('checkbox').all()) await box.uncheck();
    await url.fill(PUBLIC_URL);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('Events must name at least one event type').waitFor();

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const list = await callApi(ui, 'GET', '/webhooks');
    expect(list.body.data).toEqual([]);
  });

  it('creates a webhook with the keyboard alone', { timeout: 30_000 }, async () => {
    const { page } = ui;
    await page.goto('/settings/developers/webhooks');
    await page.getByText('No webhooks yet').waitFor();
    const createButton = page.getByRole('button', { name: 'Create webhook' }).first();
    await createButton.focus();

    // Escape closes the dialog and gives focus back to the button that opened it.
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Create webhook' });
    await dialog.waitFor();
    // Escape once the dialog has taken focus, as a keyboard user sees it: on a loaded machine a press
    // at once can land before the dialog notes where focus is to go back to.
    await expect.poll(() => dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Create webhook');

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    // The URL field has focus when the dialog opens.
    await page.keyboard.type(PUBLIC_URL);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Created with the keyboard');
    // Through the three event checkboxes (all checked) to Cancel and Create.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // unchecks conversation.deleted
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Create');
    await page.keyboard.press('Enter');

    const secret = page.getByRole('dialog', { name: 'Save your signing secret' });
    await secret.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('I have saved it');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/webhooks\/wh_/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const created = await callApi(ui, 'GET', `/webhooks/${id}`);
    expect(created.body).toMatchObject({
      url: PUBLIC_URL,
      description: 'Created with the keyboard',
      events: ['conversation.ready', 'conversation.failed'],
    });

    // The row menu works from the keyboard too.
    await page.goto('/settings/developers/webhooks');
    await page.getByRole('button', { name: /actions/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Pause' }).waitFor();
    // Escape closes it; under load the first press can land before the menu took focus, so the
    // keyboard user presses again, as the test does until the menu is gone.
    await expect
      .poll(async () => {
        await page.keyboard.press('Escape');
        return page.getByRole('menu').count();
      })
      .toBe(0);
    expect(ui.consoleErrors).toEqual([]);
  });

  it('says inline when the password is wrong, and when sign-in is throttled', {
    timeout: 60_000,
  }, async () => {
    const user = await server.host('PUT', '/users/usr_throttled', {
      email: 'throttled@klang.example',
      plan: 'pro',
      password: 'the-right-password-1',
    });
    expect(user.status).toBe(200);
    const signedOut = await openUi(browser, server.url);
    try {
      const { page } = signedOut;
      await page.goto('/');
      await page.getByRole('textbox', { name: 'Email' }).fill('throttled@klang.example');
      await page.getByRole('textbox', { name: 'Password' }).fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText('The email or password is not correct.').waitFor();
      await signedOut.screenshot('sign-in-error');
      expect(await signedOut.accessibilityViolations()).toEqual([]);

      // Ten failures in a row, then the form says how long to wait.
      for (let i = 0; i < 12; i++) {
        await page.getByRole('button', { name: 'Sign in' }).click();
        const alert = await page.getByRole('alert').innerText();
        if (alert.includes('Too many failed sign-in attempts')) break;
      }
      await page
        .getByRole('alert')
        .getByText(/Too many failed sign-in attempts\. Try again in \d+ minutes\./)
        .waitFor();
    } finally {
      await signedOut.close();
    }
  });
});
