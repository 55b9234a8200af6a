import assert from 'node:assert/strict';
import { startIdpSimulator, type IdpSimulator } from '../directories/idp-simulator.js';

/* The simulated IdPs as their APIs are documented, read with plain HTTP. */

describe('simulator: Okta, Entra ID and Google endpoints', () => {
  let idp: IdpSimulator;
  const url = (path: string) => `${idp.sim.url}${path}`;
  const okta = (path: string) => fetch(url(path), { headers: { authorization: 'SSWS sim-token' } });

  before(
    async () =>
      (idp = await startIdpSimulator([
        { userName: 'alice' },
        { userName: 'bob', active: false },
        { userName: 'carol', status: 'DEPROVISIONED' },
        { userName: 'dave', email: 'dave@corp.example', attributes: { employeeNumber: '42' } },
      ])),
  );
  afterEach(() => idp.reset());
  after(() => idp.sim.close());

  it('Okta: SSWS auth, Link paging, DEPROVISIONED only when asked for', async () => {
    const refused = await fetch(url('/okta/api/v1/users'), { headers: { authorization: 'SSWS nope' } });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { errorCode: string }).errorCode, 'E0000011');
    const first = await okta('/okta/api/v1/users?limit=2');
    const page = (await first.json()) as { profile: { login: string }; status: string }[];
    assert.deepEqual(
      page.map((u) => [u.profile.login, u.status]),
      [
        ['alice', 'ACTIVE'],
        ['bob', 'SUSPENDED'],
      ],
    );
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    assert.ok(next, first.headers.get('link') ?? 'no Link');
    const rest = (await (await okta(new URL(next).pathname + new URL(next).search)).json()) as unknown[];
    assert.equal(rest.length, 1, 'carol (DEPROVISIONED) is not in a plain listing');
    const deprovisioned = await okta(
      `/okta/api/v1/users?filter=${encodeURIComponent('status eq "DEPROVISIONED"')}`,
    );
    assert.equal(((await deprovisioned.json()) as unknown[]).length, 1);
    const search = await okta(
      `/okta/api/v1/users?search=${encodeURIComponent('profile.employeeNumber eq "42"')}`,
    );
    assert.equal(
      ((await search.json()) as { profile: { email: string } }[])[0]?.profile.email,
      'dave@corp.example',
    );
  });

  it('Entra: a token for the right secret only; $count needs ConsistencyLevel', async () => {
    const token = async (secret: string) =>
      fetch(url('/entra/contoso/oauth2/v2.0/token'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'app',
          client_secret: secret,
          scope: 'https://graph.microsoft.com/.default',
        }),
      });
    assert.equal((await token('wrong')).status, 401);
    const { access_token } = (await (await token('sim-token')).json()) as { access_token: string };
    const graph = (path: string, headers: Record<string, string> = {}) =>
      fetch(url(path), { headers: { authorization: `Bearer ${access_token}`, ...headers } });
    assert.equal((await graph('/entra/v1.0/users?$count=true')).status, 400);
    const body = (await (
      await graph('/entra/v1.0/users?$count=true&$top=3&$select=userPrincipalName,accountEnabled', {
        consistencylevel: 'eventual',
      })
    ).json()) as { '@odata.count': number; '@odata.nextLink'?: string; value: unknown[] };
    assert.equal(body['@odata.count'], 4);
    assert.deepEqual(body.value[1], { userPrincipalName: 'bob', accountEnabled: false });
    assert.ok(body['@odata.nextLink']?.includes('$skiptoken=3'));
    assert.equal(
      (await fetch(url('/entra/v1.0/users'), { headers: { authorization: 'Bearer forged' } })).status,
      401,
    );
  });

  it('a hook changes only what it names; a reset restores the fixture', async () => {
    const changed = await fetch(url('/__sim/idp/users/bob'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'ACTIVE' }),
    });
    // Okta's status changed; `active` (Entra's accountEnabled, Google's suspended) did not.
    assert.deepEqual(
      { ...((await changed.json()) as object) },
      { login: 'bob', email: 'bob@example.com', active: false, status: 'ACTIVE', attributes: {} },
    );
    await idp.hook('/__sim/idp/users/erin', { active: false });
    await idp.reset();
    const after = (await (await okta('/okta/api/v1/users')).json()) as {
      profile: { login: string };
      status: string;
    }[];
    assert.deepEqual(
      after.map((u) => `${u.profile.login}:${u.status}`),
      ['alice:ACTIVE', 'bob:SUSPENDED', 'dave:ACTIVE'],
    );
  });

  it('Google: only a JWT signed by the registered key gets a token', async () => {
    const response = await fetch(url('/google/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: 'a.b.c',
      }),
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_grant');
    const api = await fetch(url('/google/admin/directory/v1/users?customer=my_customer'));
    assert.equal(api.status, 401);
  });
});
