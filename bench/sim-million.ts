/*
 * Load check for the Jira simulator at enterprise scale: builds a synthetic enterprise of
 * one million users (or SIM_USERS), serves it, and reads a few pages the way a scan would.
 * Prints load time, memory, and request times. Run: npx tsx bench/sim-million.ts
 */
import { startSimulator } from '../simulator/index.js';

const users = Number(process.env.SIM_USERS ?? 1_000_000);
const headers = { authorization: 'Bearer sim-token' };
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  console.log(`${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

const before = process.memoryUsage();
const sim = await timed(`load ${users} users`, () =>
  startSimulator({ users, referenceTime: new Date('2026-11-01T00:00:00Z') }),
);
global.gc?.();
const loaded = process.memoryUsage();
console.log(`rss ${mb(loaded.rss)} (was ${mb(before.rss)}), heap used ${mb(loaded.heapUsed)}`);

try {
  const get = (path: string) => fetch(sim.url + path, { headers }).then((response) => response.json());
  await timed('first /user/list page (2000)', () => get('/rest/api/2/user/list'));
  await timed('/user/list page at the end', () => get(`/rest/api/2/user/list?cursor=${users - 1000}`));
  await timed('/user/search username=. (first 100)', () =>
    get('/rest/api/2/user/search?username=.&maxResults=100'),
  );
  await timed('/user/search by prefix', () => get('/rest/api/2/user/search?username=mary.sm'));
  await timed('/applicationrole (seat counts)', () => get('/rest/api/2/applicationrole'));
  await timed('/group/member jira-administrators', () =>
    get('/rest/api/2/group/member?groupname=jira-administrators'),
  );
  await timed('/group/member jira-software-users (first build)', () =>
    get('/rest/api/2/group/member?groupname=jira-software-users'),
  );
  await timed('SCIM page of 1000', () => get('/scim/v2/Users?startIndex=500000&count=1000'));
  await timed('SCIM filter', () => get(`/scim/v2/Users?filter=${encodeURIComponent('userName eq "admin"')}`));
  const renamed = await timed('update one user (PUT)', () =>
    fetch(`${sim.url}/rest/api/2/user?username=admin`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Administrator (renamed)' }),
    }),
  );
  console.log(`update status ${renamed.status}`);
  console.log(`rss after requests ${mb(process.memoryUsage().rss)}`);
} finally {
  await sim.close();
}
