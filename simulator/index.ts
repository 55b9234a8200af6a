import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { JiraDatabaseMirror } from './jira-database-mirror.js';
import { fixtureSchema, type Fixture, type FixtureInput, type Profile } from './fixture-schema.js';
import { PendingTimers } from './pending-timers.js';
import { SimulatorContext } from './simulator-context.js';
import { syntheticEnterprise } from './synthetic-enterprise.js';
import { worldFromFixture } from './world-from-fixture.js';
import type { RequestOrigin } from './request-origin.js';
import type { MutationRecord } from './user-store.js';
import type { World } from './world.js';

export { fixtureSchema, profileSchema } from './fixture-schema.js';
export type { Fixture, FixtureInput, Profile } from './fixture-schema.js';
export { PROFILES, type ProfileTraits } from './profiles.js';
export type { AppliedChange, MutationRecord } from './user-store.js';
export type { RequestOrigin } from './request-origin.js';

export interface SimulatorOptions {
  /** Jira version to play. An explicit option wins over the fixture's profile. @defaultValue 'dc11' */
  profile?: Profile;
  /** Size of the synthetic enterprise when no fixture is given. @defaultValue 1000 */
  users?: number;
  /** A fixture file path, or the fixture itself (PRODUCT.md §4). */
  fixture?: string | Fixture | FixtureInput;
  /** Seed of the synthetic enterprise and of injected faults. @defaultValue 42 */
  seed?: number;
  /** "Now" for the synthetic last-login spread. @defaultValue new Date() */
  referenceTime?: Date;
  /** The address to listen on (0.0.0.0 in a container). @defaultValue '127.0.0.1' */
  host?: string;
  /** @defaultValue 0 (an ephemeral port) */
  port?: number;
  /** Bearer token accepted besides Basic admin/admin. @defaultValue 'sim-token' */
  token?: string;
  /**
   * `name:password` of the Jira User Server application that Crowd REST
   * (`/rest/usermanagement/1`) answers; Jira users' credentials get 401 there.
   * @defaultValue 'reclaim:reclaim-secret'
   */
  crowdApplication?: string;
  /**
   * Whether Crowd REST serves `/group/membership` (Crowd REST 1.1+); false plays an older
   * Crowd, where it answers 404. @defaultValue true
   */
  crowdGroupMemberships?: boolean;
  /** Requests per second (Jira's token bucket, capacity = rate). 0 or undefined = unlimited. */
  rateLimit?: number;
  /** Added latency per request, with ±50% jitter. */
  latencyMs?: number;
  /** Fraction (0..1) of /rest requests that fail (5xx, reset connection or a 3 s delay). */
  faultRate?: number;
  /**
   * A PostgreSQL or MySQL / MariaDB URL (postgres://…, mysql://…): the simulator creates
   * Jira's user and group tables there and keeps them in step with its users.
   */
  database?: string;
}

export interface RunningSimulator {
  url: string;
  port: number;
  profile: string;
  userCount: number;
  /** With `database`: resolves once every change so far is written to it. */
  databaseSettled(): Promise<void>;
  /**
   * Calls `listener` with every mutation the moment it is applied, before Jira answers the
   * request (a test acts between Jira's change and the client's next step), with the
   * requesting client's port; returns the unsubscribe function.
   */
  onMutation(listener: (record: MutationRecord, origin?: RequestOrigin) => void): () => void;
  close(): Promise<void>;
}

const DEFAULT_USERS = 1000;
const DEFAULT_SEED = 42;
const DEFAULT_TOKEN = 'sim-token';
export const DEFAULT_CROWD_APPLICATION = { name: 'reclaim', password: 'reclaim-secret' };

/** Reads and validates a fixture; errors name the offending path. */
export function loadFixture(fixture: string | Fixture | FixtureInput): Fixture {
  const raw: unknown = typeof fixture === 'string' ? JSON.parse(readFileSync(fixture, 'utf8')) : fixture;
  const parsed = fixtureSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`invalid simulator fixture: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function worldBuilder(options: SimulatorOptions): () => World {
  if (options.fixture !== undefined) {
    const fixture = loadFixture(options.fixture);
    const profile = options.profile ?? fixture.profile ?? 'dc11';
    return () => worldFromFixture(fixture, profile);
  }
  const users = options.users ?? DEFAULT_USERS;
  if (!Number.isInteger(users) || users < 1)
    throw new Error(`users must be a positive integer, got ${users}`);
  const referenceTime = options.referenceTime ?? new Date();
  const seed = options.seed ?? DEFAULT_SEED;
  const profile = options.profile ?? 'dc11';
  return () => syntheticEnterprise({ users, seed, referenceTime, profile });
}

function checkBehaviour(options: SimulatorOptions): void {
  const { rateLimit, latencyMs, faultRate } = options;
  if (rateLimit !== undefined && !(rateLimit >= 0))
    throw new Error(`rateLimit must be >= 0, got ${rateLimit}`);
  if (latencyMs !== undefined && !(latencyMs >= 0))
    throw new Error(`latencyMs must be >= 0, got ${latencyMs}`);
  if (faultRate !== undefined && !(faultRate >= 0 && faultRate <= 1)) {
    throw new Error(`faultRate must be between 0 and 1, got ${faultRate}`);
  }
}

/** Starts the Jira (+ SCIM directory) simulator, on 127.0.0.1 unless told otherwise. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  checkBehaviour(options);
  const crowdApplication =
    options.crowdApplication ?? `${DEFAULT_CROWD_APPLICATION.name}:${DEFAULT_CROWD_APPLICATION.password}`;
  if (!/^[^:]+:.+$/.test(crowdApplication)) {
    throw new Error(`crowdApplication must be NAME:PASSWORD, got "${crowdApplication}"`);
  }
  const buildWorld = worldBuilder(options);
  const mirror = options.database === undefined ? undefined : await JiraDatabaseMirror.open(options.database);
  const context = new SimulatorContext(
    () => {
      const world = buildWorld();
      mirror?.follow(world);
      return world;
    },
    options.token ?? DEFAULT_TOKEN,
    crowdApplication,
  );
  context.crowdGroupMemberships = options.crowdGroupMemberships ?? true;
  try {
    await mirror?.settled();
  } catch (error) {
    await mirror?.close();
    throw error;
  }
  const timers = new PendingTimers();
  const app = buildApp(
    context,
    {
      seed: options.seed ?? DEFAULT_SEED,
      rateLimit: options.rateLimit,
      latencyMs: options.latencyMs,
      faultRate: options.faultRate,
    },
    timers,
  );

  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', (error?: Error) => {
      if (error) reject(error);
      else resolve(listening);
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = !options.host || options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  context.baseUrl = url;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    profile: context.world.profile,
    userCount: context.world.store.size,
    databaseSettled: async () => mirror?.settled(),
    onMutation(listener) {
      context.mutationListeners.add(listener);
      return () => context.mutationListeners.delete(listener);
    },
    // Idempotent; ends keep-alive and hanging (SCIM timeout) connections instead of waiting for them.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        timers.cancelAll();
        server.close((error) => {
          const closed = mirror ? mirror.close() : Promise.resolve();
          closed.then(() => (error ? reject(error) : resolve()), reject);
        });
        server.closeAllConnections();
      })),
  };
}
