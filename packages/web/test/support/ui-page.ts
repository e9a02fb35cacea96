// One browser tab on the UI for a test: console errors collected, axe-core checks of each page,
// screenshots saved as the test runs, and sign-in.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** Where screenshots go while the tests run (not committed; docs/screenshots/ holds the key ones). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../screenshots/', import.meta.url));

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

export interface UiPage {
  page: Page;
  context: BrowserContext;
  /** Errors the page printed in the console or threw so far (not the browser's network lines). */
  consoleErrors: string[];
  /** "<status> <method> <path>" of every API answer that was not 2xx so far. */
  failedRequests: string[];
  signIn(email: string, password: string): Promise<void>;
  /** Serious and critical axe-core violations on the page as it is now. */
  accessibilityViolations(): Promise<AxeViolation[]>;
  /** Saves the viewport (or the whole page) as screenshots/<name>-<width>.png, once notifications are gone. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function openUi(
  browser: Browser,
  baseURL: string,
  options: { width?: number; height?: number } = {},
): Promise<UiPage> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  page.on('console', (message) => {
    // Chromium logs every non-2xx answer as "Failed to load resource"; those are in failedRequests.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      consoleErrors.push(message.text());
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) {
      const url = new URL(response.url());
      failedRequests.push(`${response.status()} ${response.request().method()} ${url.pathname}`);
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  mkdirSync(SCREENSHOT_DIR, { recursive: true });

  return {
    page,
    context,
    consoleErrors,
    failedRequests,
    async signIn(email, password) {
      await page.goto('/');
      await page.getByRole('textbox', { name: 'Email' }).fill(email);
      await page.getByRole('textbox', { name: 'Password' }).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    },
    async accessibilityViolations() {
      // Evaluated through the debugging protocol, so the page's CSP (script-src 'self') allows it.
      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as { axe: { run(context: unknown): Promise<{ violations: AxeViolation[] }> } }
        ).axe;
        // With a dialog open the page behind it is inert: check the dialog itself. Notifications
        // fade in and out, which axe would read as low contrast mid-animation.
        const dialog = document.querySelector('[role="dialog"]');
        const result = await axe.run({
          include: [dialog ?? document],
          exclude: [['.mantine-Notifications-root']],
        });
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => ({ target: n.target })),
        }));
      });
      return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    },
    async screenshot(name, options = {}) {
      // Pictures of pages are taken without the passing notifications.
      for (const dismiss of await page.getByRole('button', { name: 'Dismiss' }).all()) {
        await dismiss.click().catch(() => {});
      }
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('.mantine-Notifications-root')].every((root) => !root.textContent),
        undefined,
        { timeout: 5000 },
      );
      // Dialogs and drawers slide in: wait for their transitions to end.
      await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
      const viewport = page.viewportSize() ?? { width: 1280, height: 860 };
      const path = `${SCREENSHOT_DIR}${name}-${viewport.width}.png`;
      if (!options.fullPage) return void (await page.screenshot({ path }));
      // The app shell is fixed to the viewport: grow the viewport to the page and lay it out again.
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
      await page.reload({ waitUntil: 'networkidle' });
      await page.screenshot({ path });
      await page.setViewportSize(viewport);
    },
    close: () => context.close(),
  };
}

/** Calls the user API as the signed-in browser does (session cookie + x-csrf-token). */
export async function callApi(
  ui: UiPage,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  data?: unknown,
) {
  const cookies = await ui.context.cookies();
  const csrf = cookies.find((c) => c.name === 'klang_csrf')?.value ?? '';
  const response = await ui.page.request.fetch(`/api/v1${path}`, {
    method,
    headers: { 'x-csrf-token': decodeURIComponent(csrf) },
    ...(data === undefined ? {} : { data }),
  });
  return {
    status: response.status(),
    body: (await response.json().catch(() => null)) as Record<string, unknown>,
  };
}
