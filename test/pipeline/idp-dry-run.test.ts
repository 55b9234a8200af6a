import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { RunningSimulator } from '../../simulator/index.js';
import { planByName, runToEnd, simHook, startStack, type Stack } from '../support/stack.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from './verdict-fixture.js';

/*
 * A dry run with an identity provider as the only directory: the same enterprise as the SCIM
 * dry run, its accounts served by the simulated Okta or Entra ID. Their leavers are exactly
 * the users the IdP does not have (frank, ken) or has switched off (grace).
 */

const SOURCES: Record<string, (sim: RunningSimulator) => Record<string, unknown>> = {
  okta: (sim) => ({ type: 'okta', url: `${sim.url}/okta`, token: 'sim-token' }),
  entra: (sim) => ({
    type: 'entra',
    tenantId: 'contoso',
    clientId: 'reclaim',
    clientSecret: 'sim-token',
    tokenUrl: `${sim.url}/entra/oauth2/v2.0/token`,
    graphUrl: `${sim.url}/entra/v1.0`,
  }),
};

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const LEAVERS = Object.entries(EXPECTED)
  .filter(([, e]) => e.verdict === 'left-company')
  .map(([name]) => name)
  .sort();

describe('a dry run with an identity provider as the directory, over HTTP and Redis', function () {
  this.timeout(60_000);

  for (const [type, source] of Object.entries(SOURCES)) {
    describe(`with ${type}`, () => {
      let stack: Stack;
      before(async () => {
        // The source's URLs name the simulator, so its port is chosen first.
        const port = await freePort();
        const sim = { url: `http://127.0.0.1:${port}` } as RunningSimulator;
        const config = {
          policy: VERDICT_POLICY,
          directories: { maxAbsentPercent: 20, sources: [source(sim)] },
        };
        stack = await startStack({ sim: { fixture: verdictFixture(), port }, scim: false, config });
      });
      after(() => stack?.close());

      it('plans left-company for exactly the users the IdP lacks or has disabled', async () => {
        if (type === 'okta') {
          // Okta's other lifecycle states are still staff; DEPROVISIONED is listed by its own pass.
          await simHook(stack.sim, '/__sim/idp/users/grace', { status: 'DEPROVISIONED' });
          await simHook(stack.sim, '/__sim/idp/users/nina', { status: 'LOCKED_OUT' });
          await simHook(stack.sim, '/__sim/idp/users/mallory', { status: 'STAGED' });
        }
        const run = await runToEnd(stack, { asOf: AS_OF });
        assert.equal(run.status, 'done', run.statusReason);
        assert.deepEqual(
          run.directories?.map((d) => [d.source, d.trusted]),
          [[type, true]],
        );
        const plan = await planByName(stack.app, run.id);
        const leavers = [...plan.values()].filter((l) => l.verdict === 'left-company').map((l) => l.name);
        assert.deepEqual(leavers.sort(), LEAVERS);
        for (const [name, expected] of Object.entries(EXPECTED)) {
          assert.equal(
            plan.get(name)?.verdict,
            expected.verdict,
            `${name}: ${JSON.stringify(plan.get(name)?.reasons)}`,
          );
        }
        const frank = plan.get('frank')!;
        assert.ok(
          frank.reasons.some(
            (r) => r.signal === 'directory' && new RegExp(`not found in ${type}`).test(r.rule),
          ),
          JSON.stringify(frank.reasons),
        );
      });

      it(`with ${type} down: no left-company at all, and the run says why`, async () => {
        await simHook(stack.sim, `/__sim/idp/${type}/faults`, { outage: 503 });
        try {
          const run = await runToEnd(stack, { asOf: AS_OF });
          assert.equal(run.counters.byVerdict['left-company'] ?? 0, 0);
          assert.equal(run.directories?.[0]?.trusted, false);
          assert.match(run.directories?.[0]?.reason ?? '', /503/);
        } finally {
          await simHook(stack.sim, '/__sim/reset');
        }
      });
    });
  }
});
