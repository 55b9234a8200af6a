import assert from 'node:assert/strict';
import { startSimulator, type MutationRecord, type RunningSimulator } from '../../simulator/index.js';
import { SMALL_ENTERPRISE_FIXTURE } from './fixture-path.js';
import { call, get } from './sim-client.js';

/* The simulator's mutation log: every change it applied, per user and in order, and a listener. */

describe('simulator: the mutation log', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ fixture: SMALL_ENTERPRISE_FIXTURE });
  });
  after(() => sim.close());

  it('records each applied change once, in order, and nothing for a change that changed nothing', async () => {
    const heard: MutationRecord[] = [];
    const stop = sim.onMutation((record) => heard.push(record));
    const leave = () => call(sim.url, 'DELETE', '/rest/api/2/group/user?groupname=developers&username=alice');
    assert.equal((await leave()).status, 200);
    // Not a member any more: Jira refuses, and nothing is applied.
    await leave();
    const update = await call(sim.url, 'PUT', '/rest/api/2/user?username=alice', {
      body: { active: false, name: 'alice_old' },
    });
    assert.equal(update.status, 200);
    stop();

    const own = await get<{ name: string; mutations: MutationRecord[] }>(
      sim.url,
      '/__sim/state/users/alice_old/mutations',
    );
    assert.equal(own.status, 200);
    const changes = own.body.mutations.map((record) => record.changes);
    assert.deepEqual(changes, [
      [{ op: 'remove-group', group: 'developers' }],
      [
        { op: 'update', field: 'name', from: 'alice', to: 'alice_old' },
        { op: 'update', field: 'active', from: true, to: false },
      ],
    ]);
    assert.deepEqual(
      heard.map((record) => record.seq),
      own.body.mutations.map((record) => record.seq),
      'the listener heard each one as it was applied',
    );
    const all = await get<{ mutations: MutationRecord[] }>(sim.url, '/__sim/state/mutations?afterSeq=1');
    assert.deepEqual(
      all.body.mutations.map((record) => record.name),
      ['alice_old'],
    );
    const users = await get<{ users: Array<{ name: string; mutations: number }> }>(
      sim.url,
      '/__sim/state/users',
    );
    assert.equal(users.body.users.find((user) => user.name === 'alice_old')?.mutations, 2);
    assert.equal((await call(sim.url, 'GET', '/__sim/state/mutations?afterSeq=-1')).status, 400);
  });
});
