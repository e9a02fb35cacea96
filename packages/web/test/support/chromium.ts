// Debian's Chromium driven by playwright-core (no browser download): where it is, the launch flags,
// and whether browser tests run here (CI requires them; elsewhere they are skipped with a reason).
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags of DEVELOPERS.md; playwright adds --headless and a fresh profile directory itself. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const hasChromium = existsSync(CHROMIUM_PATH);

/** Why browser tests are skipped, or undefined when they run. In CI a missing browser is a failure. */
export const browserSkipReason =
  hasChromium || process.env.CI
    ? undefined
    : `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
