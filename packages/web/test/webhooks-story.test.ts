// The help page's story in a real browser: sign in → Settings → Developers → Webhooks → create →
// copy the secret → detail page → test event → its request and response → pause → a missed event →
// resume with missed events → edit → rotate → delete; axe-core on every page, screenshots saved.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './support/chromium.ts';
import { type KlangServer, startKlangServer } from './support/klang-server.ts';
import { eventually, type Receiver, startReceiver } from './support/receiver.ts';
import { openUi, type UiPage } from './support/ui-page.ts';

describe.skipIf(browserSkipReason)(
  `the webhooks pages in Chromium${browserSkipReason ? ` (${browserSkipReason})` : ''}`,
  () => {
    let server: KlangServer;
    let receiver: Receiver;
    let browser: Browser;
    let ui: UiPage;

    beforeAll(async () => {
      [server, receiver, browser] = await Promise.all([
        startKlangServer(),
        startReceiver(),
        launchChromium(),
      ]);
      ui = await openUi(browser, server.url);
    });
    afterAll(async () => {
      await ui?.close();
      await browser?.close();
      await receiver?.close();
      await server?.stop();
    });

    async function expectAccessible() {
      expect(await ui.accessibilityViolations()).toEqual([]);
    }

    it('walks the help page from sign-in to delete', { timeout: 120_000 }, async () => {
      const { page } = ui;

      // Sign in: the root is the sign-in page.
      await page.goto('/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await ui.screenshot('sign-in');
      await expectAccessible();
      await ui.signIn(server.demo.email, server.demo.password);

      // Settings → Developers → Webhooks, empty at first.
      const nav = page.getByRole('navigation', { name: 'Settings' });
      await expect(nav.getByText('Developers')).toBeTruthy();
      await nav.getByRole('link', { name: 'Webhooks' }).click();
      expect(new URL(page.url()).pathname).toBe('/settings/developers/webhooks');
      await expect(page.getByRole('navigation', { name: 'Breadcrumb' }).innerText()).resolves.toMatch(
        /Settings\s*\/?\s*Developers\s*\/?\s*Webhooks/,
      );
      await page.getByText('No webhooks yet').waitFor();
      await expect(page.getByTestId('signed-in-user').innerText()).resolves.toBe(server.demo.email);
      await ui.screenshot('webhooks-empty');
      await expectAccessible();

      // Create webhook: all three events checked by default, each with its meaning.
      await page.getByRole('button', { name: 'Create webhook' }).first().click();
      const create = page.getByRole('dialog', { name: 'Create webhook' });
      const boxes = create.getByRole('checkbox');
      await expect.poll(() => boxes.count()).toBe(3);
      for (const box of await boxes.all()) expect(await box.isChecked()).toBe(true);
      await create.getByText('the transcript and AI analysis are finished', { exact: false }).waitFor();
      await create.getByLabel('URL').fill(receiver.url);
      await create.getByLabel('Description').fill('CRM sync');
      await ui.screenshot('create-webhook');
      await expectAccessible();
      await create.getByRole('button', { name: 'Create' }).click();

      // The secret, once, with Copy and I have saved it.
      const secretDialog = page.getByRole('dialog', { name: 'Save your signing secret' });
      const secret = await secretDialog.getByTestId('new-secret').innerText();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
      await secretDialog.getByRole('button', { name: 'Copy' }).click();
      await secretDialog.getByRole('button', { name: 'Copied' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      await ui.screenshot('secret-dialog');
      await expectAccessible();
      await secretDialog.getByRole('button', { name: 'I have saved it' }).click();

      // The detail page: status, URL, Receiving events, Send test event, Edit, the secret masked.
      await page.waitForURL(/\/settings\/developers\/webhooks\/wh_/);
      const webhookId = new URL(page.url()).pathname.split('/').pop()!;
      await page.getByRole('heading', { name: /127\.0\.0\.1/ }).waitFor();
      expect(await page.getByRole('switch', { name: 'Receiving events' }).isChecked()).toBe(true);
      await expect(page.getByTestId('signing-secret').innerText()).resolves.not.toContain(secret);
      await page.getByRole('button', { name: 'Show' }).click();
      await eventually(async () => (await page.getByTestId('signing-secret').innerText()) === secret);
      await page.getByRole('button', { name: 'Hide' }).click();

      // Send test event: the webhook has three events, so it asks which one.
      await page.getByRole('button', { name: 'Send test event' }).click();
      await page.getByRole('menuitem', { name: 'conversation.ready' }).click();
      const row = page.getByTestId('attempt-row').first();
      await row.waitFor({ timeout: 15_000 });
      await row.getByText('TEST', { exact: true }).waitFor();
      await expect(row.innerText()).resolves.toContain('200');
      expect(receiver.requests).toHaveLength(1);
      const delivered = receiver.requests[0]!;
      expect(delivered.headers['webhook-id']).toMatch(/^evt_test_/);
      await eventually(async () => (await page.getByLabel('24-hour stats').innerText()).includes('1'));
      await expectAccessible();

      // Its request and response.
      await row.click();
      const drawer = page.getByRole('dialog', { name: /conversation\.ready · attempt 1/ });
      await drawer.getByLabel('Request headers').getByText('webhook-signature').waitFor();
      const body = await drawer.getByLabel('Request body').innerText();
      expect(JSON.parse(body)).toEqual(JSON.parse(delivered.body));
      await expect(drawer.getByLabel('Response body').innerText()).resolves.toContain('"received": true');
      await drawer.getByLabel('Response headers').getByText('x-receiver').waitFor();
      await ui.screenshot('attempt-detail');
      await expectAccessible();
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });

      // Pause from the list menu; an event published meanwhile is missed.
      await page
        .getByRole('navigation', { name: 'Breadcrumb' })
        .getByRole('link', { name: 'Webhooks' })
        .click();
      await page.getByRole('button', { name: /actions/ }).click();
      await page.getByRole('menuitem', { name: 'Pause' }).click();
      await page.getByRole('table', { name: 'Webhooks' }).getByText('Paused').waitFor();
      await page.getByRole('menu').waitFor({ state: 'detached' });
      await ui.screenshot('webhooks-list');
      await expectAccessible();
      const published = await server.host('POST', '/events', {
        type: 'conversation.ready',
        conversation_id: 'conv_demo_weekly',
      });
      expect(published.status).toBe(202);
      const { id: missedEventId } = (await published.json()) as { id: string };
      expect(receiver.requests).toHaveLength(1);

      // Resume from the detail page, sending the missed events: the missed one arrives.
      await page.getByRole('link', { name: /127\.0\.0\.1/ }).click();
      await page.getByRole('switch', { name: 'Receiving events' }).click({ force: true });
      const resume = page.getByRole('dialog', { name: 'Resume receiving events' });
      const sendMissed = resume.getByRole('checkbox', { name: /missed while it was paused/ });
      expect(await sendMissed.isChecked()).toBe(false);
      await sendMissed.check();
      await ui.screenshot('resume-dialog');
      await resume.getByRole('button', { name: 'Resume' }).click();
      await eventually(
        () => receiver.requests.find((r) => r.headers['webhook-id'] === missedEventId),
        15_000,
      );
      await page.getByTestId('attempt-row').getByText(missedEventId).waitFor({ timeout: 10_000 });
      expect(await page.getByRole('switch', { name: 'Receiving events' }).isChecked()).toBe(true);
      await eventually(
        async () => (await page.getByLabel('24-hour stats').innerText()).includes('2'),
        10_000,
      );
      await ui.screenshot('webhook-detail', { fullPage: true });

      // Find a delivery by its event id.
      await page.getByLabel('Find by event id').fill(missedEventId);
      await eventually(async () => (await page.getByTestId('attempt-row').count()) === 1);
      await page.getByLabel('Find by event id').fill('');

      // Edit the description.
      await page.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit webhook' });
      await edit.getByLabel('Description').fill('CRM sync (production)');
      await ui.screenshot('edit-webhook');
      await expectAccessible();
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'hidden' });
      await page.getByRole('main').getByText('CRM sync (production)').waitFor();

      // Rotate: explained, then the new secret is shown and the old one still signs for 24 hours.
      await page.getByRole('button', { name: 'Rotate' }).click();
      const rotate = page.getByRole('dialog', { name: 'Rotate signing secret?' });
      await rotate.getByText('24 hours', { exact: false }).waitFor();
      await rotate.getByRole('button', { name: 'Rotate' }).click();
      await page.getByText('The previous secret also signs requests until').waitFor();
      const rotated = await page.getByTestId('signing-secret').innerText();
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);

      // Delete from the Edit dialog, confirmed.
      await page.getByRole('button', { name: 'Edit' }).click();
      await page
        .getByRole('dialog', { name: 'Edit webhook' })
        .getByRole('button', { name: 'Delete webhook' })
        .click();
      const confirm = page.getByRole('dialog', { name: 'Delete webhook?' });
      await ui.screenshot('delete-webhook');
      await confirm.getByRole('button', { name: 'Delete webhook' }).click();
      await page.waitForURL(/\/settings\/developers\/webhooks$/);
      await page.getByText('No webhooks yet').waitFor();
      const gone = await page.request.get(`/api/v1/webhooks/${webhookId}`);
      expect(gone.status()).toBe(404);

      expect(ui.consoleErrors).toEqual([]);
      expect(ui.failedRequests).toEqual([]);
    });
  },
);
