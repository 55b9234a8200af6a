import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, or the one CHROMIUM_PATH names. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `CI` set, as CI services and `.ci/run` do (`CI=false` or `CI=0` reads as unset). */
function inCi(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/**
 * For a browser test's `before`: without a Chromium the test is skipped with what to install,
 * except in CI, where the browser is part of the machine and its absence is a failure.
 */
export function requireChromium(context: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  const missing = `no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH (.ci/run installs it)`;
  if (inCi()) throw new Error(missing);
  // On a fresh machine the rest of the suite still runs; this test says what it needs.
  process.stdout.write(`  skipped: ${missing}\n`);
  context.skip();
}

/**
 * Headless Chromium as the machine allows it: no sandbox (root), and none of its background
 * connections, which this machine's closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
