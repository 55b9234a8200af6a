import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import type { App } from '../../runtime/app.js';
import { launchRun } from '../../runtime/launch-run.js';
import { startStack, waitForRun, type Stack } from '../support/stack.js';

/** `name{labels} value` lines of a Prometheus text exposition, as [series, value]. */
function samples(text: string, name: string): Array<[string, number]> {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const at = line.lastIndexOf(' ');
      return [line.slice(0, at), Number(line.slice(at + 1))];
    });
}

function value(text: string, series: string): number | undefined {
  const name = series.split('{', 1)[0]!;
  return samples(text, name).find(([s]) => s === series)?.[1];
}

describe('GET /metrics', function () {
  this.timeout(120_000);
  let stack: Stack;
  let api: Express;
  let text: string;
  let duringRun: string;
  let duringRunStatus: string | undefined;

  before(async () => {
    // A Jira that sometimes fails (retries) and that is slower than our ceiling (429s).
    stack = await startStack({
      sim: { users: 120, faultRate: 0.08, rateLimit: 3, seed: 7 },
      config: { jira: { requestsPerSecond: 200, retries: 3 } },
    });
    api = createApiApp(stack.app);
    const started = await launchRun(stack.app, { mode: 'dry-run', trigger: { type: 'cli', by: 'test' } });
    // While the run works: once it has sent a Jira request, a scrape shows it.
    while (((await stack.app.runs.get(started.id))?.counters.jiraRequests ?? 0) === 0)
      await new Promise((resolve) => setTimeout(resolve, 50));
    // The workers write their counts every few milliseconds, not with each request: a scrape a
    // moment later shows them, while the run (slowed by Jira's 3 requests a second) still works.
    for (let tries = 0; tries < 20; tries++) {
      duringRun = (await request(api).get('/metrics').expect(200)).text;
      if (samples(duringRun, 'reclaim_jira_requests_total').length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    duringRunStatus = (await stack.app.runs.get(started.id))?.status;
    const run = await waitForRun(stack.app, started.id, 100_000);
    assert.equal(run.status, 'done', run.statusReason);
    text = (await request(api).get('/metrics').expect(200)).text;
    if (process.env.DUMP_METRICS) process.stdout.write(text);
  });
  after(() => stack?.close());

  it('is open like the probes when api.metricsToken is not set, in the Prometheus text format', async () => {
    const response = await request(api).get('/metrics').expect(200);
    assert.match(response.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(response.text, /# TYPE reclaim_jobs gauge/);
    assert.match(response.text, /# TYPE reclaim_job_duration_seconds histogram/);
  });

  it('shows Jira requests while the run is still under way', () => {
    const sent = samples(duringRun, 'reclaim_jira_requests_total').reduce((sum, [, n]) => sum + n, 0);
    assert.ok(sent > 0, 'requests are counted as they are sent, not at the end of the run');
    assert.notEqual(duringRunStatus, 'done', 'the scrape was taken while the run was under way');
  });

  it('counts jobs per queue and state from BullMQ', () => {
    const completed = value(text, 'reclaim_jobs{queue="evaluate",state="completed"}');
    assert.ok(completed !== undefined && completed > 0, `evaluate completed: ${completed}`);
    assert.equal(value(text, 'reclaim_jobs{queue="evaluate",state="active"}'), 0);
    for (const queue of ['scan', 'evaluate', 'run-control', 'revoke-license', 'undo'])
      assert.ok(value(text, `reclaim_jobs{queue="${queue}",state="waiting"}`) !== undefined, queue);
  });

  it('has a histogram of job durations per queue, recorded by the workers', () => {
    const count = value(text, 'reclaim_job_duration_seconds_count{queue="evaluate",outcome="completed"}');
    assert.ok(count !== undefined && count >= 120, `evaluate jobs timed: ${count}`);
    const inf = value(
      text,
      'reclaim_job_duration_seconds_bucket{queue="evaluate",outcome="completed",le="+Inf"}',
    );
    assert.equal(inf, count, 'the +Inf bucket holds every job');
    assert.ok(
      (value(text, 'reclaim_job_duration_seconds_sum{queue="evaluate",outcome="completed"}') ?? 0) > 0,
    );
    assert.ok(
      (value(text, 'reclaim_job_duration_seconds_count{queue="scan",outcome="completed"}') ?? 0) >= 1,
    );
  });

  it('counts Jira requests by route template and status, with 429s and retries', () => {
    const requests = samples(text, 'reclaim_jira_requests_total');
    assert.ok(requests.length > 0);
    for (const [series] of requests) {
      assert.match(series, /route="(GET|POST|PUT|DELETE) \/[^"?]*",status="(\d{3}|error)"/);
      assert.doesNotMatch(series, /\?|username=|user-\d/, 'no query and no user in a label');
    }
    const ok = requests.filter(([s]) => s.includes('status="200"')).reduce((sum, [, n]) => sum + n, 0);
    assert.ok(ok > 0);
    assert.ok(
      requests.some(([s]) => s.includes('route="GET /rest/api/2/serverInfo"')),
      'detection is counted',
    );
    assert.ok((value(text, 'reclaim_jira_rate_limited_total') ?? 0) > 0, 'the 429s are counted');
    assert.ok((value(text, 'reclaim_jira_retries_total') ?? 0) > 0, 'the retries are counted');
    const fourTwoNine = requests
      .filter(([s]) => s.includes('status="429"'))
      .reduce((sum, [, n]) => sum + n, 0);
    assert.equal(fourTwoNine, value(text, 'reclaim_jira_rate_limited_total'));
  });

  it("shows the newest run's verdicts and actions, and each directory's breaker", async () => {
    const [run] = await stack.app.runs.list({ limit: 1 });
    const users = samples(text, 'reclaim_run_users').filter(([s]) => s.includes(`run_id="${run!.id}"`));
    const total = users.reduce((sum, [, n]) => sum + n, 0);
    assert.equal(total, run!.counters.evaluated);
    assert.ok(total > 0);
    const planned = value(text, `reclaim_run_actions{mode="dry-run",run_id="${run!.id}",outcome="planned"}`);
    assert.ok(planned !== undefined && planned > 0, `planned actions: ${planned}`);
    assert.equal(
      value(text, `reclaim_directory_trusted{source="${run!.directories![0]!.source}",run_id="${run!.id}"}`),
      run!.directories![0]!.trusted ? 1 : 0,
    );
  });

  it("shows Jira's licence seats per application", () => {
    const seats = samples(text, 'reclaim_licence_seats');
    assert.ok(
      seats.some(([s, n]) => s.includes('kind="used"') && n > 0),
      `seats: ${JSON.stringify(seats)}`,
    );
  });

  it('asks for the Bearer token when api.metricsToken is set', async () => {
    const guarded: App = {
      ...stack.app,
      config: {
        ...stack.app.config,
        api: { ...stack.app.config.api, metricsToken: 'metrics-token-0123456789' },
      },
    };
    const secured = createApiApp(guarded);
    const refused = await request(secured).get('/metrics').expect(401);
    assert.equal(refused.body.error.code, 'unauthorized');
    await request(secured).get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
    const scraped = await request(secured)
      .get('/metrics')
      .set('Authorization', 'Bearer metrics-token-0123456789')
      .expect(200);
    assert.match(scraped.text, /reclaim_jobs\{/);
    // The probes stay open.
    await request(secured).get('/healthz').expect(200);
  });
});
