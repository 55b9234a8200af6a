import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createApiApp } from '../../api/app.js';
import { startStack, runToEnd, type Stack } from '../support/stack.js';

/** The browser to drive: `CHROMIUM_PATH`, else Debian's `chromium` package. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** `CI` set, as CI services and `.ci/run` do (`CI=false` or `CI=0` reads as unset). */
function inCi(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

const TOKEN = 'operator-token-for-the-browser';

/** Bull Board as a person sees it: a real headless Chromium logs in and reads the queues. */
describe('Bull Board in a browser', function () {
  this.timeout(90_000);
  let stack: Stack;
  let server: Server;
  let browser: Browser;
  let dir: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      const missing = `no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH (.ci/run installs it)`;
      // In CI the browser is part of the machine: its absence is a failure, never a quiet skip.
      if (inCi()) throw new Error(missing);
      // On a fresh machine the rest of the suite still runs; this test says what it needs.
      process.stdout.write(`  skipped: ${missing}\n`);
      this.skip();
    }
    stack = await startStack({
      sim: { users: 300 },
      config: { api: { tokens: [{ name: 'ops', token: TOKEN, role: 'operator' }] } },
    });
    await runToEnd(stack);
    server = createApiApp(stack.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    dir = mkdtempSync(join(tmpdir(), 'reclaim-chromium-'));
    browser = await chromium.launch({
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
  });
  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const base = () => {
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };

  it('asks for a login, then shows every queue with the completed evaluate jobs', async () => {
    const anonymous = await browser.newContext();
    const refused = await anonymous.request.get(`${base()}/admin/queues`);
    assert.equal(refused.status(), 401);
    assert.match(refused.headers()['www-authenticate'] ?? '', /Basic/);
    await anonymous.close();

    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: TOKEN } });
    const page = await context.newPage();
    await page.goto(`${base()}/admin/queues`);
    // The page says "Loading…" first: wait for the queues to be drawn.
    for (const queue of ['scan', 'evaluate', 'run-control']) {
      await page.getByText(queue, { exact: true }).first().waitFor({ timeout: 30_000 });
    }
    const screenshot = join(dir, 'bull-board.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(statSync(screenshot).size > 10_000, 'the screenshot shows a drawn page');

    await page.goto(`${base()}/admin/queues/queue/evaluate?status=completed`);
    await page
      .getByText(/evaluate-user/)
      .first()
      .waitFor({ timeout: 30_000 });
    await context.close();
  });
});
