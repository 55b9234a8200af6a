import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSimulator } from '../../simulator/index.js';
import type { Run } from '../../services/runs/types.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { planByName, runToEnd, simHook, startStack, type Stack } from '../support/stack.js';
import { startJiraFaultProxy, type JiraFaultProxy } from './support/jira-fault-proxy.js';

/*
 * A dry run whose only external directory fails in the ways directories fail: answers 500 to
 * every request or from the second page on, lists nobody, ends its listing early, or (an HR
 * export) is cut off in the middle of a row. However it fails, no user is planned left-company
 * on its word; a listing that merely ends early names no one but a real leaver. (The LDAP
 * server killed in the middle of its listing is test/pipeline/ldap-run.test.ts.)
 */

const LEAVERS = Object.entries(EXPECTED)
  .filter(([, e]) => e.verdict === 'left-company')
  .map(([name]) => name)
  .sort();
/** Small pages, so that a listing has a second page to fail on. */
const PAGE = 5;

async function leaversOf(stack: Stack, run: Run): Promise<string[]> {
  const plan = await planByName(stack.app, run.id);
  return [...plan.values()]
    .filter((line) => line.verdict === 'left-company')
    .map((line) => line.name)
    .sort();
}

/** The run believed nobody's absence: no left-company, the source untrusted with its reason. */
async function assertNoLeavers(stack: Stack, run: Run, reason: RegExp): Promise<void> {
  assert.equal(run.status, 'done', run.statusReason);
  assert.equal(run.counters.byVerdict['left-company'] ?? 0, 0);
  assert.deepEqual(await leaversOf(stack, run), []);
  const [source] = run.directories ?? [];
  assert.equal(source?.trusted, false, JSON.stringify(run.directories));
  assert.match(source?.reason ?? '', reason);
}

interface IdpCase {
  source: (sim: RunningSimulator) => Record<string, unknown>;
}

const IDPS: Record<'okta' | 'entra', IdpCase> = {
  okta: { source: (sim) => ({ type: 'okta', url: `${sim.url}/okta`, token: 'sim-token', pageSize: PAGE }) },
  entra: {
    source: (sim) => ({
      type: 'entra',
      tenantId: 'contoso',
      clientId: 'reclaim',
      clientSecret: 'sim-token',
      tokenUrl: `${sim.url}/entra/oauth2/v2.0/token`,
      graphUrl: `${sim.url}/entra/v1.0`,
      pageSize: PAGE,
    }),
  },
};

describe('reliability: directory faults make nobody left-company', function () {
  this.timeout(60_000);
  const base = { policy: VERDICT_POLICY };
  const run = (stack: Stack) => runToEnd(stack, { asOf: AS_OF });

  describe('SCIM', () => {
    let stack: Stack;
    let proxy: JiraFaultProxy;
    before(async () => {
      proxy = await startJiraFaultProxy(['/scim']);
      stack = await startStack({
        sim: { fixture: verdictFixture() },
        scim: false,
        config: (sim) => {
          proxy.forwardTo(sim.url);
          const scim = { type: 'scim', url: `${proxy.url}/scim/v2`, token: 'sim-token', pageSize: PAGE };
          return { ...base, directories: { maxAbsentPercent: 20, sources: [scim] } };
        },
      });
    });
    afterEach(async () => {
      proxy.setSchedule(undefined);
      await simHook(stack.sim, '/__sim/reset');
    });
    after(async () => {
      await stack?.close();
      await proxy?.close();
    });

    it('healthy: the three leavers (the control)', async () => {
      assert.deepEqual(await leaversOf(stack, await run(stack)), LEAVERS);
    });

    it('500 to every request', async () => {
      await simHook(stack.sim, '/__sim/scim/outage', { status: 500 });
      await assertNoLeavers(stack, await run(stack), /500/);
    });

    it('500 from the second page of the listing on', async () => {
      proxy.setSchedule(({ index }) => (index >= 2 ? { kind: 'status', status: 500 } : undefined));
      await assertNoLeavers(stack, await run(stack), /500/);
    });

    it('an empty list', async () => {
      await simHook(stack.sim, '/__sim/scim/hide', { percent: 100 });
      await assertNoLeavers(stack, await run(stack), /absent|maxAbsentPercent/);
    });

    it('a listing that leaves users out: only the real leavers, each confirmed by a look-up', async () => {
      await simHook(stack.sim, '/__sim/scim/unlist', { userNames: ['alice', 'bob', 'carol', 'judy'] });
      assert.deepEqual(await leaversOf(stack, await run(stack)), LEAVERS);
    });
  });

  for (const [type, idp] of Object.entries(IDPS)) {
    describe(type === 'entra' ? 'Entra ID (Microsoft Graph)' : 'Okta', () => {
      let stack: Stack;
      const faults = (body: Record<string, unknown>) => simHook(stack.sim, `/__sim/idp/${type}/faults`, body);
      before(async () => {
        stack = await startStack({
          sim: { fixture: verdictFixture() },
          scim: false,
          config: (sim) => ({ ...base, directories: { maxAbsentPercent: 20, sources: [idp.source(sim)] } }),
        });
      });
      afterEach(() => simHook(stack.sim, '/__sim/reset'));
      after(() => stack?.close());

      it('healthy: the three leavers (the control)', async () => {
        assert.deepEqual(await leaversOf(stack, await run(stack)), LEAVERS);
      });

      it('500 to every request', async () => {
        await faults({ outage: 500 });
        await assertNoLeavers(stack, await run(stack), /500/);
      });

      it('500 from the second page of the listing on', async () => {
        await faults({ cutAfterPages: 1 });
        await assertNoLeavers(stack, await run(stack), /500/);
      });

      it('an empty list', async () => {
        await simHook(stack.sim, '/__sim/idp/users', { users: [] });
        await assertNoLeavers(stack, await run(stack), /absent|maxAbsentPercent/);
      });

      it('a listing that ends early without saying so: no one but a real leaver', async () => {
        await faults({ truncateAfterPages: 1 });
        // Okta's look-ups confirm each absence; Graph's listing falls short of its own count and
        // is not believed at all. Either way, no one present in the IdP is a leaver.
        const leavers = await leaversOf(stack, await run(stack));
        for (const name of leavers) assert.ok(LEAVERS.includes(name), `${name} is no leaver`);
      });
    });
  }

  describe('an HR CSV export', () => {
    let stack: Stack;
    let dir: string;
    let file: string;
    const rows = Object.keys(EXPECTED)
      .filter((name) => !['frank', 'ken'].includes(name))
      .map((name) => `"${name}",${name === 'grace' ? 'terminated' : 'active'}`);
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'reclaim-hr-faults-'));
      file = join(dir, 'people.csv');
      stack = await startStack({
        sim: { fixture: verdictFixture() },
        scim: false,
        config: {
          ...base,
          directories: {
            maxAbsentPercent: 20,
            sources: [{ type: 'csv', name: 'hr-export', path: file, columns: { status: 'status' } }],
          },
        },
      });
    });
    after(async () => {
      await stack?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('cut off in the middle of a row, on its very first run', async () => {
      const whole = `username,status\n${rows.join('\n')}\n`;
      writeFileSync(file, whole.slice(0, whole.indexOf('"mallory"') + 4));
      await assertNoLeavers(stack, await run(stack), /hr-export/);
    });

    it('the header row and nothing else', async () => {
      writeFileSync(file, 'username,status\n');
      await assertNoLeavers(stack, await run(stack), /hr-export/);
    });

    it('whole: the three leavers (the control)', async () => {
      writeFileSync(file, `username,status\n${rows.join('\n')}\n`);
      assert.deepEqual(await leaversOf(stack, await run(stack)), LEAVERS);
    });
  });
});
