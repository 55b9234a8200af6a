import assert from 'node:assert/strict';
import pg from 'pg';
import { AS_OF, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { recordsConfigFor } from '../support/records.js';
import { simUser, stackConfig, startStack, type Stack } from '../support/stack.js';

/** The apply stage from the command line, as an admin drives it. */
describe('reclaim scan --apply, approve, undo and audit from the CLI', function () {
  this.timeout(120_000);
  let stack: Stack;
  let config: { file: string; remove(): void };

  const reclaim = async (...args: string[]) => {
    const child = spawnReclaim(['--config', config.file, ...args], { REDIS_URL: '' });
    const exit = await child.exited;
    return { code: exit.code, output: child.output() };
  };

  before(async () => {
    const extra = { policy: VERDICT_POLICY, directories: { maxAbsentPercent: 20 }, brake: { maxActions: 3 } };
    stack = await startStack({ sim: { fixture: verdictFixture() }, config: extra });
    config = writeConfigFile(stackConfig(stack.sim, stack.prefix, extra));
  });
  after(async () => {
    await stack?.close();
    config?.remove();
  });

  it('holds a large apply run, applies it once approved, and undoes it', async () => {
    const scan = await reclaim('scan', '--apply', '--wait', '--as-of', AS_OF.toISOString(), '--json');
    assert.equal(scan.code, 0, scan.output);
    const held = JSON.parse(scan.output.slice(scan.output.indexOf('{'))) as { id: string; status: string };
    assert.equal(held.status, 'awaiting-approval');
    assert.ok(
      (await simUser(stack.sim, 'bob')).groups.includes('jira-software-users'),
      'nothing changed yet',
    );

    const approve = await reclaim('approve', held.id);
    assert.equal(approve.code, 0, approve.output);
    let shown = '';
    for (let i = 0; i < 100 && !/applied:/.test(shown); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      shown = (await reclaim('runs', held.id)).output;
    }
    assert.match(shown, /apply, done/);
    assert.match(shown, /actions: done \d+ · skipped 0 · not possible 2 · failed 0/);
    assert.match(shown, /not-possible ×2: .*read-only/);
    assert.ok(
      !(await simUser(stack.sim, 'bob')).groups.includes('jira-software-users'),
      'bob lost his licence',
    );

    const verify = await reclaim('audit', 'verify');
    assert.equal(verify.code, 0, verify.output);
    assert.match(verify.output, /audit log intact: \d+ entries/);
    const csv = await reclaim('report', 'audit', '--csv', '--run', held.id);
    assert.match(csv.output, /^id,at,run_id,action_id,actor,action,user_key,username,outcome/m);
    assert.match(csv.output, /cli:/);

    const undo = await reclaim('undo', held.id);
    assert.equal(undo.code, 0, undo.output);
    assert.match(undo.output, /"done": \d+/);
    assert.ok(
      (await simUser(stack.sim, 'bob')).groups.includes('jira-software-users'),
      'bob has his licence back',
    );
    assert.equal(
      (await simUser(stack.sim, 'frank')).active,
      true,
      'frank is back under his own name, active',
    );
  });

  it('audit verify fails, naming the entry, when a superuser alters one entry', async () => {
    // The application's role may not change the log, and the trigger refuses the owner too:
    // only a superuser with triggers off gets the change in, and the chain shows it.
    const superuser = new pg.Client({ connectionString: recordsConfigFor(stack.prefix).url });
    await superuser.connect();
    try {
      await superuser.query('SET session_replication_role = replica');
      const altered = await superuser.query(
        `UPDATE audit_log SET entry = jsonb_set(entry::jsonb, '{outcome}', '"skipped"')::text WHERE seq = 3`,
      );
      assert.equal(altered.rowCount, 1);
    } finally {
      await superuser.end();
    }
    const verify = await reclaim('audit', 'verify');
    assert.equal(verify.code, 1);
    assert.match(verify.output, /audit log broken at entry 000000000003/);
  });
});
