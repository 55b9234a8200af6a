import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * A throwaway OpenLDAP server for one test file: its own temp dir (slapd.conf, an mdb
 * database), a free loopback port, the core schemas plus the small AD-like schema kept in
 * test/fixtures/ldap. Accounts are loaded offline with slapadd before it starts (fast for
 * thousands) and changed later with ldapmodify as the rootDN. Reclaim binds as a service
 * account, not the rootDN: the rootDN is exempt from the size limit, and the size limit (below
 * the directory's size) is what proves the listing pages.
 */

/** A program on the PATH or in an sbin directory (Debian puts slapd in /usr/sbin). */
function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return dirs
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file));
}

const PROGRAMS = {
  slapd: findProgram('slapd'),
  slapadd: findProgram('slapadd'),
  ldapmodify: findProgram('ldapmodify'),
};
const SLAPD = PROGRAMS.slapd ?? 'slapd';
const SLAPADD = PROGRAMS.slapadd ?? 'slapadd';
const LDAPMODIFY = PROGRAMS.ldapmodify ?? 'ldapmodify';
const SCHEMA_DIR = '/etc/ldap/schema';
const AD_LITE_SCHEMA = fileURLToPath(new URL('../fixtures/ldap/ad-lite.schema', import.meta.url));

export const BASE_DN = 'dc=corp,dc=example';
export const USERS_DN = `ou=users,${BASE_DN}`;
const ROOT_DN = `cn=admin,${BASE_DN}`;
const ROOT_PASSWORD = 'root-secret';
export const SERVICE_DN = `cn=reclaim,ou=service,${BASE_DN}`;
export const SERVICE_PASSWORD = 'svc-Secret-4711';

/** One user account; `userAccountControl` 512 is a normal account, 514 a disabled one. */
export interface AdUser {
  sAMAccountName: string;
  mail?: string;
  uid?: string;
  userAccountControl?: number;
  employeeStatus?: string;
}

export interface StartSlapdOptions {
  users?: readonly AdUser[];
  /** The server's size limit for the service account (AD's MaxPageSize is 1000). */
  sizeLimit?: number;
  /** Serve StartTLS with a certificate for 127.0.0.1 from a CA of its own (`caFile`). */
  tls?: boolean;
}

export interface Slapd {
  url: string;
  port: number;
  pid: number;
  /** With `tls`: the PEM file of the CA that signed the server's certificate. */
  caFile?: string;
  /** The accounts' DN: a user's is `cn=user-<n>,{USERS_DN}`, n its position in `users`. */
  userDN(index: number): string;
  /** Applies an LDIF of changes as the rootDN (ldapmodify). */
  modify(ldif: string): Promise<void>;
  /** Ends the server at once (SIGKILL), as a crash would; `stop` still cleans up. */
  kill(): void;
  /** Stops the server and removes its temp dir. */
  stop(): Promise<void>;
}

/** Skips the calling suite when slapd is not installed; on CI (CI set) that is a failure. */
export function requireSlapd(context: Mocha.Context): void {
  const missing = Object.entries(PROGRAMS).flatMap(([name, file]) => (file === undefined ? [name] : []));
  if (missing.length === 0) return;
  const message =
    `OpenLDAP is not installed (${missing.join(', ')} not found): ` +
    "apt-get install slapd ldap-utils (after debconf-set-selections 'slapd slapd/no_configuration boolean true')";
  if (process.env.CI) throw new Error(`${message}; CI must run the LDAP tests`);
  console.warn(`      skipped: ${message}`);
  context.skip();
}

function run(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args[0] ?? ''} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`slapd did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One LDIF line: a value that is not plain ASCII (or starts oddly) is written base64 (RFC 2849). */
function ldifLine(attribute: string, value: string): string {
  const safe = /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ');
  return safe ? `${attribute}: ${value}` : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

function entry(dn: string, attributes: [string, string][]): string {
  return [ldifLine('dn', dn), ...attributes.map(([a, v]) => ldifLine(a, v))].join('\n') + '\n';
}

function userEntry(user: AdUser, index: number): string {
  const cn = `user-${index}`;
  const attributes: [string, string][] = [
    ['objectClass', 'inetOrgPerson'],
    ['objectClass', 'adLiteUser'],
    ['cn', cn],
    ['sn', cn],
    ['sAMAccountName', user.sAMAccountName],
  ];
  if (user.mail !== undefined) attributes.push(['mail', user.mail]);
  if (user.uid !== undefined) attributes.push(['uid', user.uid]);
  if (user.userAccountControl !== undefined)
    attributes.push(['userAccountControl', String(user.userAccountControl)]);
  if (user.employeeStatus !== undefined) attributes.push(['employeeStatus', user.employeeStatus]);
  return entry(`cn=${cn},${USERS_DN}`, attributes);
}

function initialLdif(users: readonly AdUser[]): string {
  return [
    entry(BASE_DN, [
      ['objectClass', 'dcObject'],
      ['objectClass', 'organization'],
      ['dc', 'corp'],
      ['o', 'Corp'],
    ]),
    entry(USERS_DN, [
      ['objectClass', 'organizationalUnit'],
      ['ou', 'users'],
    ]),
    entry(`ou=service,${BASE_DN}`, [
      ['objectClass', 'organizationalUnit'],
      ['ou', 'service'],
    ]),
    // Not a person: the service account is no user account of the listing.
    entry(SERVICE_DN, [
      ['objectClass', 'organizationalRole'],
      ['objectClass', 'simpleSecurityObject'],
      ['cn', 'reclaim'],
      ['userPassword', SERVICE_PASSWORD],
    ]),
    ...users.map(userEntry),
  ].join('\n');
}

/** A CA and a server certificate for 127.0.0.1 (EC keys: quick to make). */
async function makeCertificates(dir: string): Promise<string> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const at = (file: string) => join(dir, file);
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Reclaim test CA',
  ]);
  await run('openssl', [
    'req',
    ...ec,
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(at('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.pem'),
    '-days',
    '2',
    '-extfile',
    at('server.ext'),
  ]);
  return `TLSCACertificateFile ${at('ca.pem')}
TLSCertificateFile ${at('server.pem')}
TLSCertificateKeyFile ${at('server.key')}
`;
}

function slapdConf(dir: string, sizeLimit: number, tls: string): string {
  return `${tls}${['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${SCHEMA_DIR}/${s}.schema`).join('\n')}
include ${AD_LITE_SCHEMA}
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 1073741824
suffix "${BASE_DN}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${dir}/db
index objectClass eq
index sAMAccountName,mail,uid eq
# As Active Directory does: no more than ${sizeLimit} entries per search, unless paged.
sizelimit size.soft=${sizeLimit} size.hard=${sizeLimit} size.prtotal=unlimited
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="${SERVICE_DN}" read by * none
`;
}

export async function startSlapd(options: StartSlapdOptions = {}): Promise<Slapd> {
  const dir = await mkdtemp(join(tmpdir(), 'reclaim-slapd-'));
  let pid: number | undefined;
  try {
    const conf = join(dir, 'slapd.conf');
    const tls = options.tls ? await makeCertificates(dir) : '';
    await writeFile(conf, slapdConf(dir, options.sizeLimit ?? 1000, tls));
    await run('/bin/mkdir', ['-p', join(dir, 'db')]);
    const ldif = join(dir, 'initial.ldif');
    await writeFile(ldif, initialLdif(options.users ?? []));
    await run(SLAPADD, ['-q', '-f', conf, '-l', ldif]);
    const port = await freePort();
    const url = `ldap://127.0.0.1:${port}`;
    // slapd forks into the background; its pid is in the pidfile.
    await run(SLAPD, ['-f', conf, '-h', `${url}/`]);
    await waitForPort(port, 10_000);
    pid = Number((await readFile(join(dir, 'slapd.pid'), 'utf8')).trim());
    const serverPid = pid;
    const alive = () => {
      try {
        process.kill(serverPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    return {
      url,
      port,
      pid: serverPid,
      ...(options.tls ? { caFile: join(dir, 'ca.pem') } : {}),
      userDN: (index) => `cn=user-${index},${USERS_DN}`,
      async modify(changes) {
        await run(LDAPMODIFY, ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD], changes);
      },
      kill() {
        if (alive()) process.kill(serverPid, 'SIGKILL');
      },
      async stop() {
        if (alive()) process.kill(serverPid, 'SIGTERM');
        for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
        if (alive()) process.kill(serverPid, 'SIGKILL');
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
