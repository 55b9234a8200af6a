import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium, requireChromium } from '../support/chromium.js';
import pg from 'pg';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { LicenceHistory } from '../../services/licences/licence-history.js';
import type { PlanLine, Run } from '../../services/runs/types.js';
import { licenceCheck } from '../../workers/license-check.js';
import { runToEnd, startStack, waitForRun, type Stack } from '../support/stack.js';
import { CONSOLE_POLICY, consoleFixture, HOSTILE_DISPLAY, HOSTILE_NAME } from './console-fixture.js';

const TOKENS = { viewer: 'viewer-token-for-the-console', operator: 'operator-token-for-the-console' };
const VIEWER = { Authorization: `Bearer ${TOKENS.viewer}` };
const DAY_MS = 86_400_000;

/**
 * The console on the whole product: a small simulated Jira, a dry run and an apply run the
 * brake holds, ninety days of seat readings; the pages read over HTTP and in a real Chromium.
 */
describe('the console', function () {
  this.timeout(90_000);
  let stack: Stack;
  let server: Server;
  let base: string;
  let dryRun: Run;
  let held: Run;

  before(async () => {
    stack = await startStack({
      sim: { fixture: consoleFixture() },
      config: {
        policy: CONSOLE_POLICY,
        directories: { maxAbsentPercent: 20 },
        brake: { maxActions: 3, maxPercentOfUsers: 100 },
        // Mondays at 06:00: it never fires while the test runs, but the overview says when it will.
        schedule: [{ name: 'weekly-review', cron: '0 6 * * 1', mode: 'dry-run' }],
        api: {
          tokens: [
            { name: 'licence-desk', token: TOKENS.viewer, role: 'viewer' },
            { name: 'ops', token: TOKENS.operator, role: 'operator' },
          ],
        },
      },
    });
    // Ninety days of the licence monitor's readings, then one from the simulated Jira now.
    const now = Date.now();
    await new LicenceHistory(stack.app.records).record(
      Array.from({ length: 30 }, (_, i) => [
        {
          application: 'jira-software',
          at: new Date(now - (90 - i * 3) * DAY_MS).toISOString(),
          seats: 50,
          used: 46 - Math.floor(i / 4),
        },
        {
          application: 'jira-servicedesk',
          at: new Date(now - (90 - i * 3) * DAY_MS).toISOString(),
          seats: 25,
          used: 12 + Math.floor(i / 6),
        },
      ]).flat(),
    );
    await licenceCheck(stack.app);
    dryRun = await runToEnd(stack);
    assert.equal(dryRun.status, 'done', dryRun.statusReason);
    held = await runToEnd(stack, { mode: 'apply' });
    assert.equal(held.status, 'awaiting-approval', held.statusReason);
    server = createApiApp(stack.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stack?.close();
  });

  const api = async <T>(path: string): Promise<T> =>
    (await request(base).get(path).set(VIEWER).expect(200)).body as T;

  describe('over HTTP', () => {
    it('escapes a username and display name that are markup, on the plan and the user page', async () => {
      const plan = await request(base)
        .get(`/runs/${dryRun.id}/plan`)
        .query({ q: 'script' })
        .set(VIEWER)
        .expect(200);
      assert.match(plan.headers['content-type'] ?? '', /text\/html/);
      assert.ok(
        plan.text.includes('&#60;script&#62;alert(1)&#60;/script&#62;'),
        'the name is shown, escaped',
      );
      assert.ok(!plan.text.includes(HOSTILE_NAME), 'never as markup');
      const user = await request(base)
        .get(`/users/${encodeURIComponent(HOSTILE_NAME)}`)
        .set(VIEWER)
        .expect(200);
      assert.ok(!user.text.includes(HOSTILE_NAME));
      assert.ok(!user.text.includes(HOSTILE_DISPLAY));
      assert.ok(user.text.includes('&#34;&#62;&#60;img src=x onerror=alert(2)&#62;'));
      // The console allows nothing from another host, and no inline script.
      const csp = plan.headers['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /https?:|unsafe-inline/);
    });

    it('answers a bad filter with a 400 naming the field, and never a 500', async () => {
      const cases: Array<[string, string]> = [
        [`/runs/${dryRun.id}/plan?minDays=-1`, 'minDays'],
        [`/runs/${dryRun.id}/plan?minDays=30&maxDays=10`, 'maxDays'],
        [`/runs/${dryRun.id}/plan?verdict=gone-fishing`, 'verdict'],
        [`/runs/${dryRun.id}/plan?verdict=inactive&verdict=keep`, 'verdict'],
        [`/runs/${dryRun.id}/plan?application=no-such-app`, 'application'],
        [`/runs/${dryRun.id}/plan?cursor=not-a-cursor`, 'cursor'],
        [`/runs/${dryRun.id}/plan.csv?maxDays=x`, 'maxDays'],
        ['/audit?outcome=sideways', 'outcome'],
        ['/audit?fromId=abc', 'fromId'],
        ['/runs?before=%00', 'before'],
        ['/users/a%0Ab', 'username'],
      ];
      for (const [path, field] of cases) {
        const response = await request(base).get(path).set(VIEWER);
        assert.equal(response.status, 400, `${path}: ${response.status} ${response.text.slice(0, 200)}`);
        assert.ok(
          response.text.includes(`${field}:`),
          `${path} names ${field}: ${response.text.slice(0, 300)}`,
        );
      }
      for (const path of [
        '/runs/no-such-run',
        '/runs/no-such-run/plan',
        '/users/no-such-user-here',
        '/runs/%E0%A4%A',
        '/assets/constructor',
        '/assets/..%2Fconsole-router.ts',
      ]) {
        const response = await request(base).get(path).set(VIEWER);
        assert.ok(response.status >= 400 && response.status < 500, `${path}: ${response.status}`);
      }
      // Without a session a page sends the browser to the login, and back here after it.
      const anonymous = await request(base).get(`/runs/${held.id}`).expect(303);
      assert.equal(anonymous.headers.location, `/admin/login?next=${encodeURIComponent(`/runs/${held.id}`)}`);
    });

    it("pages through a run's plan by its cursor, every user once", async () => {
      const run = await api<Run>(`/api/runs/${dryRun.id}`);
      const seen: string[] = [];
      let path: string | undefined = `/runs/${dryRun.id}/plan?limit=10`;
      let pages = 0;
      while (path) {
        const page: request.Response = await request(base).get(path).set(VIEWER).expect(200);
        seen.push(...[...page.text.matchAll(/<tr data-user="([^"]*)"/g)].map((m) => m[1]!));
        path = /<a rel="next" href="([^"]+)"/.exec(page.text)?.[1]?.replace(/&#38;/g, '&');
        pages += 1;
      }
      assert.equal(seen.length, run.counters.evaluated);
      assert.equal(new Set(seen).size, seen.length, 'no user twice');
      assert.equal(pages, Math.ceil(run.counters.evaluated / 10));
    });

    it('asks an operator to confirm, and answers an action that does not apply with a 409 page', async () => {
      const login = await request(base)
        .post('/admin/login')
        .set('Origin', base)
        .type('form')
        .send({ token: TOKENS.operator, next: `/runs/${held.id}` })
        .expect(303);
      assert.equal(login.headers.location, `/runs/${held.id}`);
      const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';', 1)[0]!;
      const page = await request(base).get(`/runs/${held.id}`).set('Cookie', cookie).expect(200);
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
      assert.ok(csrf, 'the held run has an operator form');
      const post = (path: string, form: Record<string, string>) =>
        request(base).post(path).set('Cookie', cookie).set('Origin', base).type('form').send(form);
      const unconfirmed = await post(`/runs/${held.id}/approve`, { csrf });
      assert.equal(unconfirmed.status, 400);
      assert.match(unconfirmed.text, /confirm: tick the box/);
      const finished = await post(`/runs/${dryRun.id}/cancel`, { csrf, confirm: 'yes' });
      assert.equal(finished.status, 409);
      assert.match(finished.text, /is done and cannot be cancelled/);
      assert.equal((await stack.app.runs.get(held.id))?.status, 'awaiting-approval');
    });

    it("signs a viewer in for the console only: the board still refuses the viewer's session", async () => {
      const login = await request(base)
        .post('/admin/login')
        .set('Origin', base)
        .type('form')
        .send({ token: TOKENS.viewer })
        .expect(303);
      assert.equal(login.headers.location, '/');
      const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';', 1)[0]!;
      const overview = await request(base).get('/').set('Cookie', cookie).expect(200);
      assert.match(overview.text, /Signed in as <strong>licence-desk<\/strong> \(viewer\)/);
      assert.doesNotMatch(overview.text, /name="csrf"/, 'a viewer is given no form to act with');
      await request(base).get('/admin/queues/api/queues').set('Cookie', cookie).expect(403);
      // Asked for the board, a viewer's login is refused as before.
      const toBoard = await request(base)
        .post('/admin/login')
        .set('Origin', base)
        .type('form')
        .send({ token: TOKENS.viewer, next: '/admin/queues' });
      assert.equal(toBoard.status, 403);
      // A `next` off the app is not followed.
      const offsite = await request(base)
        .post('/admin/login')
        .set('Origin', base)
        .type('form')
        .send({ token: TOKENS.viewer, next: '//evil.example/runs' })
        .expect(303);
      assert.equal(offsite.headers.location, '/');
    });

    it('serves uPlot and its own files from the app', async () => {
      for (const file of ['uPlot.iife.min.js', 'uPlot.min.css', 'console.js', 'console.css']) {
        const response = await request(base).get(`/assets/${file}`).expect(200);
        assert.ok(response.text.length > 500 || (response.body as Buffer).length > 500, file);
      }
    });
  });

  describe('in a browser', () => {
    let browser: Browser;
    let dir: string;

    before(async function () {
      requireChromium(this);
      dir = mkdtempSync(join(tmpdir(), 'reclaim-console-'));
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      if (dir) process.stdout.write(`  console screenshots in ${dir}\n`);
    });

    /** A browser context signed in through the board's login form, with every request it makes. */
    async function signIn(
      token: string,
      width = 1280,
    ): Promise<{ context: BrowserContext; page: Page; hosts: Set<string>; errors: string[] }> {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      const hosts = new Set<string>();
      page.on('request', (r) => hosts.add(new URL(r.url()).host));
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('response', (response) => {
        if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
      });
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
          errors.push(message.text());
      });
      await page.goto(`${base}/`);
      assert.match(page.url(), /\/admin\/login\?next=%2F$/);
      await page.fill('#token', token);
      await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
      return { context, page, hosts, errors };
    }

    const text = async (page: Page, selector: string) =>
      ((await page.locator(selector).first().textContent()) ?? '').trim();
    const number = async (page: Page, selector: string) =>
      Number((await text(page, selector)).replace(/,/g, ''));

    it('shows a viewer the overview, the runs, a held run, a filtered plan, a user and the audit, as the API has them', async () => {
      const { context, page, hosts, errors } = await signIn(TOKENS.viewer);

      // Overview: the newest final plan (the held run) by verdict and days since last login.
      const run = await api<Run>(`/api/runs/${held.id}`);
      assert.match(await text(page, '#last-h'), new RegExp(held.id));
      for (const [verdict, n] of Object.entries(run.counters.byVerdict)) {
        if (n > 0) assert.equal(await number(page, `[data-verdict="${verdict}"]`), n, verdict);
      }
      const lines = (await api<{ lines: PlanLine[] }>(`/api/runs/${held.id}/plan?limit=1000`)).lines;
      const never = lines.filter((l) => l.lastLoginStatus === 'never').length;
      const over365 = lines.filter(
        (l) =>
          l.lastLogin !== null && Date.parse(run.asOf) - Date.parse(l.lastLogin) > 365 * DAY_MS + DAY_MS - 1,
      ).length;
      assert.ok(never > 0 && over365 > 0);
      assert.equal(await number(page, '[data-bucket="never logged in"]'), never);
      assert.equal(await number(page, '[data-bucket="> 365 days"]'), over365);
      const seats = await api<{ current: Array<{ application: string; used: number }> }>(
        '/api/reports/licenses',
      );
      const software = seats.current.find((c) => c.application === 'jira-software')!;
      assert.equal(await number(page, '[data-seats="jira-software"] strong'), software.used);
      // uPlot drew the seats, the login buckets and nothing else is missing; the verdict bar has its widths.
      assert.ok((await page.locator('.uplot canvas').count()) >= 2, 'the charts are drawn');
      assert.equal(
        await page
          .locator('.stack .seg')
          .first()
          .evaluate(
            (e) =>
              (
                e as unknown as {
                  ownerDocument: { defaultView: { getComputedStyle(e: unknown): { display: string } } };
                }
              ).ownerDocument.defaultView.getComputedStyle(e).display,
          ),
        'block',
      );
      const scheduler = (await stack.app.registry.queue('run-control').getJobSchedulers()).find(
        (s) => s.key === 'schedule-weekly-review',
      );
      assert.ok(scheduler?.next);
      assert.equal(
        await page.locator('#next-h + table time').getAttribute('datetime'),
        new Date(scheduler.next).toISOString(),
      );
      assert.match(await text(page, '.caps'), /Restore on login: on/);
      assert.match(await text(page, '.caps'), /breaker closed/);
      await page.screenshot({ path: join(dir, 'overview.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 800 });
      // The charts follow the width once the resize settles, as on a phone that loads at it.
      await page.waitForTimeout(400);
      assert.ok(await page.locator('html').evaluate((e) => e.scrollWidth <= 391), 'the overview fits 390 px');
      await page.screenshot({ path: join(dir, 'overview-phone.png'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });

      // Runs: both, with their statuses.
      await page.click('nav >> text=Runs');
      assert.match(await text(page, `tr[data-run="${held.id}"]`), /awaiting-approval/);
      assert.match(await text(page, `tr[data-run="${dryRun.id}"]`), /done/);

      // The held run: the brake's reason, and no buttons for a viewer.
      await page.click(`a[href="/runs/${held.id}"]`);
      assert.equal(await text(page, '.held [data-reason]'), run.statusReason);
      assert.equal(await number(page, '[data-counter="total"]'), run.counters.total);
      assert.equal(
        await page.locator('form.action, button[name=action]').count(),
        0,
        'a viewer has no action',
      );
      assert.match(await text(page, '#dirs-h + *'), /believed/);
      await page.screenshot({ path: join(dir, 'held-run.png'), fullPage: true });

      // The plan, filtered to the inactive users through the form; a row opened to its reasons.
      await page.click('a:has-text("The plan")');
      await page.selectOption('#f-verdict', 'inactive');
      await page.fill('#f-min', '100');
      await Promise.all([
        page.waitForURL(/verdict=inactive/),
        page.click('form.filters button[type=submit]'),
      ]);
      const filtered = await api<{ lines: PlanLine[] }>(
        `/api/reports/inactive?verdict=inactive&minDays=100&limit=1000`,
      );
      assert.ok(filtered.lines.length > 0);
      const rows = page.locator('table.plan > tbody > tr');
      assert.equal(await rows.count(), filtered.lines.length);
      const names = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user')));
      assert.deepEqual([...names].sort(), filtered.lines.map((l) => l.name).sort());
      const first = rows.first();
      await first.locator('summary').focus();
      await page.keyboard.press('Enter');
      const reason = filtered.lines.find((l) => l.name === names[0])!.reasons[0]!;
      assert.ok(await first.locator('table.reasons').isVisible(), 'Enter opens the reasons');
      assert.match((await first.locator('table.reasons').textContent()) ?? '', new RegExp(reason.signal));
      await page.screenshot({ path: join(dir, 'plan-filtered.png'), fullPage: true });
      // The CSV of the same filter: one row per user shown.
      const href = await page.locator('a:has-text("Download CSV")').getAttribute('href');
      assert.match(href ?? '', /verdict=inactive/);
      const csv = await context.request.get(`${base}${href}`);
      assert.equal(csv.status(), 200);
      assert.equal((await csv.text()).trim().split('\n').length, filtered.lines.length + 1);
      // On a phone's width the page does not scroll sideways.
      await page.setViewportSize({ width: 390, height: 800 });
      assert.ok(await page.locator('html').evaluate((e) => e.scrollWidth <= 391), 'readable at 390 px');
      await page.setViewportSize({ width: 1280, height: 900 });

      // A user: facts, and a verdict in both runs.
      await page.click('table.plan a[href^="/users/"] >> nth=0');
      assert.equal(await text(page, '[data-fact="name"]'), names[0]);
      assert.equal(await page.locator('tr[data-history]').count(), 2);
      await page.screenshot({ path: join(dir, 'user.png'), fullPage: true });

      // The audit: the chain is intact.
      await page.click('nav >> text=Audit');
      assert.equal(await page.locator('[data-verify="ok"]').count(), 1);

      assert.deepEqual([...hosts], [new URL(base).host], 'every request went to the app itself');
      assert.ok(
        statSync(join(dir, 'overview.png')).size > 20_000,
        'the overview screenshot shows a drawn page',
      );
      assert.deepEqual(errors, [], 'no script or loading error on any page');
      await context.close();
    });

    it('refuses a viewer’s POST, a form of no session, and one from another origin', async () => {
      const viewer = await signIn(TOKENS.viewer);
      const approve = `${base}/runs/${held.id}/approve`;
      const asViewer = await viewer.context.request.post(approve, {
        form: { confirm: 'yes' },
        headers: { Origin: base },
      });
      assert.equal(asViewer.status(), 403);
      await viewer.context.close();

      const operator = await signIn(TOKENS.operator);
      const noToken = await operator.context.request.post(approve, {
        form: { confirm: 'yes' },
        headers: { Origin: base },
      });
      assert.equal(noToken.status(), 403);
      assert.match(await noToken.text(), /not one of this session/);
      // The right token, from another origin's page: a form that posts itself.
      await operator.page.goto(`${base}/runs/${held.id}`);
      const csrf = await operator.page.locator('form.action-approve input[name=csrf]').getAttribute('value');
      const attacker = createServer((_req, res) => {
        res.setHeader('Content-Type', 'text/html');
        res.end(`<form id="f" method="post" action="${approve}"><input name="csrf" value="${csrf}">
          <input name="confirm" value="yes"></form><script>document.getElementById('f').submit()</script>`);
      });
      attacker.listen(0, '127.0.0.1');
      await new Promise((resolve) => attacker.once('listening', resolve));
      try {
        const [response] = await Promise.all([
          operator.page.waitForResponse((r) => r.url() === approve, { timeout: 30_000 }),
          operator.page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`),
        ]);
        assert.equal(response.status(), 403);
      } finally {
        attacker.closeAllConnections();
        await new Promise((resolve) => attacker.close(resolve));
      }
      assert.equal((await stack.app.runs.get(held.id))?.status, 'awaiting-approval', 'still held');
      await operator.context.close();
    });

    it('lets an operator approve the held run from its page, confirmed, and it applies as the token', async () => {
      const { context, page } = await signIn(TOKENS.operator);
      await page.goto(`${base}/runs/${held.id}`);
      const button = page.locator('form.action-approve button');
      // Unticked, the browser does not send the form.
      await button.click();
      assert.match(page.url(), new RegExp(`/runs/${held.id}$`));
      await page.check('#confirm-approve');
      await Promise.all([page.waitForURL(/done=approve/), button.click()]);
      assert.match(await text(page, '.flash'), /Approved/);
      const approved = (await stack.app.runs.get(held.id))!;
      assert.ok(['applying', 'done'].includes(approved.status), approved.status);
      const run = await waitForRun(stack.app, held.id);
      assert.equal(run.status, 'done', run.statusReason);
      assert.ok(run.counters.actionsDone > 0, 'the plan was applied');
      const entries = await api<{ entries: Array<{ actor: string; runId: string }> }>(
        `/api/audit?runId=${held.id}&limit=1000`,
      );
      assert.ok(entries.entries.length > 0);
      // Approved as the API approves: by the token's name (the reason while applying).
      if (approved.status === 'applying') assert.match(approved.statusReason ?? '', /approved by api:ops/);
      await page.reload();
      assert.equal(await page.locator('form.action-approve').count(), 0, 'approved once');
      assert.equal(await page.locator('form.action-undo').count(), 1, 'an applied run can be undone');

      // The overview now counts the licences the run took back, as the audit log has them.
      const audit = await api<{ entries: Array<{ action: string; outcome: string }> }>(
        `/api/audit?runId=${held.id}&limit=1000`,
      );
      const revoked = audit.entries.filter(
        (e) => e.action === 'revoke-license' && e.outcome === 'done',
      ).length;
      assert.ok(revoked > 0);
      await page.click('nav >> text=Overview');
      assert.equal(await number(page, '[data-figure="freed"]'), revoked);
      assert.equal(await page.locator('[data-chart="freed"] canvas').count(), 1, 'the freed chart is drawn');
      await page.screenshot({ path: join(dir, 'overview-applied.png'), fullPage: true });
      // An entry a superuser altered behind Reclaim's back (past the append-only trigger): the
      // audit page names it, and says the chain is intact again once it is put back.
      const tamper = async (work: (client: pg.Client) => Promise<void>) => {
        const client = new pg.Client({ connectionString: stack.config.records.url! });
        await client.connect();
        try {
          await client.query('SET session_replication_role = replica');
          await work(client);
        } finally {
          await client.end();
        }
      };
      let original = '';
      await tamper(async (client) => {
        original = (await client.query<{ entry: string }>('SELECT entry FROM audit_log WHERE seq = 2'))
          .rows[0]!.entry;
        await client.query('UPDATE audit_log SET entry = $1 WHERE seq = 2', [
          original.replace('"outcome":"done"', '"outcome":"skipped"'),
        ]);
      });
      try {
        await page.goto(`${base}/audit`);
        assert.match(
          await text(page, '[data-verify="broken"]'),
          /Chain broken at entry 0+2: entry was altered/,
        );
      } finally {
        await tamper(async (client) => {
          await client.query('UPDATE audit_log SET entry = $1 WHERE seq = 2', [original]);
        });
      }
      await page.goto(`${base}/audit`);
      assert.equal(await page.locator('[data-verify="ok"]').count(), 1);
      await page.screenshot({ path: join(dir, 'audit.png'), fullPage: true });
      await page.goto(`${base}/`);
      // The README's picture of the console: CONSOLE_OVERVIEW_PNG=docs/console-overview.png.
      if (process.env.CONSOLE_OVERVIEW_PNG)
        copyFileSync(join(dir, 'overview-applied.png'), process.env.CONSOLE_OVERVIEW_PNG);
      await context.close();
    });
  });
});
