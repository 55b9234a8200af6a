import assert from 'node:assert/strict';
import { configSchema } from '../../config/schema.js';
import type { UserSnapshot } from '../../services/actions/types.js';
import { recheckUser, type RecheckContext } from '../../services/apply/recheck-user.js';
import { createDirectoryProviders } from '../../services/directories/create-directory-providers.js';
import { postSimHook } from '../support/sim-hooks.js';
import { startScimSimulator, type ScimSimulator } from '../directories/scim-simulator.js';

/* The re-check of a user right before the first change, against the simulator's SCIM directory. */

const POLICY = configSchema.parse({
  policy: { skipGroups: ['contractors'], skipUsers: ['svc-bot'], onlyGroups: ['jira-software-users'] },
}).policy;

const user = (name: string, groups: string[] = ['jira-software-users']): UserSnapshot => ({
  key: `JIRAUSER-${name}`,
  name,
  active: true,
  groups,
});

describe('re-checking a planned user before acting', function () {
  this.timeout(30_000);
  let scim: ScimSimulator;
  let ctx: (verdict: RecheckContext['verdict']) => RecheckContext;

  before(async () => {
    scim = await startScimSimulator({
      jiraUsers: ['gone', 'back', 'disabled'],
      directory: [
        { userName: 'back', active: false },
        { userName: 'disabled', active: false },
      ],
    });
    const directories = createDirectoryProviders(
      [
        {
          type: 'scim',
          url: scim.scimUrl,
          token: 'sim-token',
          pageSize: 100,
          timeoutMs: 1000,
          match: 'username',
        },
      ],
      { retries: 0, retryDelayMs: 10 },
    );
    ctx = (verdict) => ({ policy: POLICY, verdict, directories });
  });
  after(() => scim?.sim.close());
  afterEach(() => scim?.outage(null));

  it('lets a user through whose plan still holds', async () => {
    assert.equal(await recheckUser(user('bob'), ctx('inactive')), undefined);
    assert.equal(await recheckUser(user('gone'), ctx('left-company')), undefined);
    assert.equal(await recheckUser(user('disabled'), ctx('left-company')), undefined);
  });

  it('skips a user now in a skip group, an administrator, or a skip user', async () => {
    assert.match(
      (await recheckUser(user('bob', ['jira-software-users', 'Contractors']), ctx('inactive'))) ?? '',
      /^now member of a skip group \(skipGroups\): Contractors: not acted on$/,
    );
    assert.match(
      (await recheckUser(user('bob', ['jira-software-users', 'jira-administrators']), ctx('inactive'))) ?? '',
      /now member of a Jira administrators group.*jira-administrators/,
    );
    assert.match(
      (await recheckUser(user('svc-bot'), ctx('never-logged-in'))) ?? '',
      /now listed in skipUsers/,
    );
  });

  it('skips a user no longer in any processing group', async () => {
    assert.match(
      (await recheckUser(user('bob', ['developers']), ctx('inactive'))) ?? '',
      /now not a member of any processing group \(onlyGroups\): jira-software-users/,
    );
  });

  it('skips a leaver the directory now says is active, or cannot answer about', async () => {
    await postSimHook(scim.sim.url, '/__sim/scim/users/back', { active: true });
    assert.match((await recheckUser(user('back'), ctx('left-company'))) ?? '', /^now active in scim/);
    await scim.outage(503);
    assert.match(
      (await recheckUser(user('gone'), ctx('left-company'))) ?? '',
      /^scim could not confirm now that the user left \(.*503.*\): not acted on$/,
    );
  });

  it('skips a leaver when no directory is configured any more', async () => {
    assert.match(
      (await recheckUser(user('gone'), { ...ctx('left-company'), directories: [] })) ?? '',
      /no external directory is configured any more/,
    );
  });
});
