import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { launchChromium, requireChromium } from '../support/chromium.js';
import { createApiApp } from '../../api/app.js';
import { ALL_QUEUES } from '../../queues/names.js';
import { startStack, runToEnd, type Stack } from '../support/stack.js';

const TOKEN = 'operator-token-for-the-browser';

/** Bull Board as a person sees it: a real headless Chromium logs in and reads the queues. */
describe('Bull Board in a browser', function () {
  this.timeout(90_000);
  let stack: Stack;
  let server: Server;
  let browser: Browser;
  let dir: string;

  before(async function () {
    requireChromium(this);
    stack = await startStack({
      sim: { users: 300 },
      config: { api: { tokens: [{ name: 'ops', token: TOKEN, role: 'operator' }] } },
    });
    await runToEnd(stack);
    server = createApiApp(stack.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    dir = mkdtempSync(join(tmpdir(), 'reclaim-chromium-'));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stack?.close();
    if (dir && !process.env.KEEP_SCREENSHOTS) rmSync(dir, { recursive: true, force: true });
    else if (dir) process.stdout.write(`  screenshots in ${dir}\n`);
  });

  const base = () => {
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };

  it('logs in through /admin/login, then shows every queue with its counts and a throughput chart', async () => {
    const anonymous = await browser.newContext();
    const refused = await anonymous.request.get(`${base()}/admin/queues/api/queues`);
    assert.equal(refused.status(), 401);
    assert.equal(refused.headers()['www-authenticate'], undefined, 'no Basic prompt');
    await anonymous.close();

    const context = await browser.newContext();
    const page = await context.newPage();
    // Asking for the board without a session lands on the login form.
    await page.goto(`${base()}/admin/queues`);
    assert.match(page.url(), /\/admin\/login\?next=/);
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL(/\/admin\/queues$/), page.click('button[type=submit]')]);
    const cookie = (await context.cookies()).find((c) => c.name === 'reclaim_session');
    assert.ok(cookie?.httpOnly, 'an HttpOnly session cookie');
    assert.equal(cookie.sameSite, 'Strict');

    // The page says "Loading…" first: wait for the queues to be drawn.
    for (const queue of ALL_QUEUES) {
      await page.getByText(queue, { exact: true }).first().waitFor({ timeout: 30_000 });
    }
    const screenshot = join(dir, 'bull-board.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(statSync(screenshot).size > 10_000, 'the screenshot shows a drawn page');
    // The evaluate queue's card shows its completed count (one job per user).
    const counts = await stack.app.registry.queue('evaluate').getJobCounts('completed');
    await page.getByText(`${counts.completed} Jobs`, { exact: true }).first().waitFor({ timeout: 30_000 });

    await page.goto(`${base()}/admin/queues/queue/evaluate`);
    // The queue page's throughput panel (uiConfig.showMetrics) charts the workers' metrics.
    const title = page.getByText('Throughput (jobs / min)').first();
    await title.waitFor({ timeout: 30_000 });
    const panel = title.locator('xpath=ancestor::*[.//*[contains(@class, "recharts-surface")]][1]');
    await panel.getByText('Completed (last 60 min)').waitFor({ timeout: 30_000 });
    const panelText = (await panel.textContent()) ?? '';
    // "<n>Completed (last 60 min)": the figure is drawn right before its label.
    assert.ok(
      panelText.includes(`${counts.completed}Completed (last 60 min)`),
      `the panel counts the jobs: ${panelText}`,
    );
    assert.ok((await panel.locator('svg path.recharts-curve').count()) > 0, 'a throughput line is drawn');
    assert.equal(await page.getByText(/No metrics collected yet/).count(), 0);
    await page.screenshot({ path: join(dir, 'evaluate.png') });

    await page.goto(`${base()}/admin/queues/queue/evaluate?status=completed`);
    await page
      .getByText(/evaluate-user/)
      .first()
      .waitFor({ timeout: 30_000 });
    await context.close();
  });

  it("refuses a cross-site form POST to the board's API, even with the session cookie", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base()}/admin/login`);
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL(/\/admin\/queues$/), page.click('button[type=submit]')]);

    // Another origin (same host, other port: the same *site*, so SameSite alone would let the
    // cookie through) serves a page that posts a job into the evaluate queue.
    const target = `${base()}/admin/queues/api/queues/evaluate/add`;
    const attacker = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<form id="f" method="post" action="${target}" enctype="text/plain">
        <input name='{"name":"evaluate-user","data":{},"x":"' value='"}'></form>
        <script>document.getElementById('f').submit()</script>`);
    });
    attacker.listen(0, '127.0.0.1');
    await new Promise((resolve) => attacker.once('listening', resolve));
    try {
      const before = await stack.app.registry.queue('evaluate').count();
      const port = (attacker.address() as AddressInfo).port;
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === target, { timeout: 30_000 }),
        page.goto(`http://127.0.0.1:${port}/`),
      ]);
      assert.equal(response.status(), 403);
      assert.match(await response.text(), /cross-site/);
      assert.equal(await stack.app.registry.queue('evaluate').count(), before, 'no job was added');
    } finally {
      attacker.closeAllConnections();
      await new Promise((resolve) => attacker.close(resolve));
      await context.close();
    }
  });
});
