/*
 * The LDAP source's bulk listing at enterprise size: a throwaway slapd with N accounts (AD-like,
 * a size limit of 1,000 as AD's MaxPageSize), listed once with the paged search a run uses.
 * Prints the load time, the pages, and the run's memory for the snapshot.
 *
 *   npx tsx bench/ldap-load.ts [--users 100000] [--page-size 1000]
 */
import { parseArgs } from 'node:util';
import { DirectorySnapshot } from '../services/directories/directory-snapshot.js';
import { LdapDirectoryProvider } from '../services/directories/ldap/ldap-directory-provider.js';
import { SERVICE_DN, SERVICE_PASSWORD, startSlapd, USERS_DN } from '../test/support/slapd.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '1000' },
  },
});
const users = Number(values.users);
const pageSize = Number(values['page-size']);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

let started = performance.now();
const slapd = await startSlapd({
  sizeLimit: 1000,
  users: Array.from({ length: users }, (_, i) => ({
    sAMAccountName: `user${String(i).padStart(7, '0')}`,
    mail: `user${i}@corp.example`,
    userAccountControl: i % 50 === 0 ? 514 : 512,
  })),
});
console.log(`slapd with ${users} accounts ready in ${Math.round(performance.now() - started)} ms`);

try {
  const provider = new LdapDirectoryProvider({
    name: 'ldap',
    url: slapd.url,
    bindDN: SERVICE_DN,
    bindPassword: SERVICE_PASSWORD,
    bindPasswordFrom: 'the benchmark',
    baseDN: USERS_DN,
    userFilter: '(objectClass=person)',
    usernameAttribute: 'sAMAccountName',
    emailAttribute: 'mail',
    disabled: { activeDirectory: true },
    tls: { starttls: false, caFile: null, rejectUnauthorized: true },
    pageSize,
    timeoutMs: 60_000,
    match: 'username',
  });
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  started = performance.now();
  const snapshot = await DirectorySnapshot.from(provider.loadAll());
  const ms = performance.now() - started;
  global.gc?.();
  console.log(
    `listed ${snapshot.size} accounts in ${Math.round(ms)} ms ` +
      `(${Math.ceil(users / pageSize)} pages of ${pageSize}, ${Math.round((snapshot.size / ms) * 1000)} accounts/s), ` +
      `snapshot heap ${mb(process.memoryUsage().heapUsed - before)}`,
  );
  if (snapshot.size !== users) throw new Error(`expected ${users} accounts, listed ${snapshot.size}`);
} finally {
  await slapd.stop();
}
