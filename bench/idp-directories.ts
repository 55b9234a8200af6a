/*
 * The cost of loading a whole identity provider for one run: a synthetic enterprise of
 * SIM_USERS Jira users (100,000 by default; its directory holds ~97 % of them) served by the
 * simulated Okta, Entra ID and Google, each listed once in bulk by its provider at its
 * largest page size. Prints accounts, requests and time per IdP.
 * Run: npx tsx bench/idp-directories.ts
 */
import { generateKeyPairSync } from 'node:crypto';
import type { DirectoryProvider } from '../services/directories/directory-provider.js';
import { EntraDirectoryProvider } from '../services/directories/entra/entra-directory-provider.js';
import { GoogleDirectoryProvider } from '../services/directories/google/google-directory-provider.js';
import { OktaDirectoryProvider } from '../services/directories/okta/okta-directory-provider.js';
import { startSimulator } from '../simulator/index.js';

const users = Number(process.env.SIM_USERS ?? 100_000);
const sim = await startSimulator({ users, referenceTime: new Date('2026-11-01T00:00:00Z') });
const tuning = { timeoutMs: 30_000, retries: 2, retryDelayMs: 200, match: 'username' as const };
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
await fetch(`${sim.url}/__sim/idp/google/service-account`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ clientEmail: 'bench@sim.iam.gserviceaccount.com', publicKey: keys.publicKey }),
});

const providers: DirectoryProvider[] = [
  new OktaDirectoryProvider({
    ...tuning,
    name: 'okta',
    url: `${sim.url}/okta`,
    token: { value: 'sim-token' },
    pageSize: 200,
  }),
  new EntraDirectoryProvider({
    ...tuning,
    name: 'entra',
    tenantId: 'bench',
    clientId: 'bench',
    clientSecret: { value: 'sim-token' },
    tokenUrl: `${sim.url}/entra/oauth2/v2.0/token`,
    scope: 'https://graph.microsoft.com/.default',
    graphUrl: `${sim.url}/entra/v1.0`,
    pageSize: 999,
  }),
  new GoogleDirectoryProvider({
    ...tuning,
    name: 'google',
    subject: 'admin@example.com',
    customer: 'my_customer',
    url: `${sim.url}/google`,
    clientEmail: 'bench@sim.iam.gserviceaccount.com',
    privateKey: { value: keys.privateKey },
    tokenUrl: `${sim.url}/google/token`,
    pageSize: 500,
  }),
];

const requests = async () =>
  ((await (await fetch(`${sim.url}/__sim/stats`)).json()) as { requests: { total: number } }).requests.total;

try {
  console.log(`${users} Jira users; one bulk listing per IdP`);
  for (const provider of providers) {
    const before = await requests();
    const started = performance.now();
    let accounts = 0;
    for await (const _entry of provider.loadAll!()) accounts++;
    const ms = Math.round(performance.now() - started);
    console.log(`${provider.name}: ${accounts} accounts, ${(await requests()) - before} requests, ${ms} ms`);
  }
} finally {
  await sim.close();
}
