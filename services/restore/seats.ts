import { randomUUID } from 'node:crypto';
import { hasGroup } from '../actions/snapshot.js';
import type { ApplicationRole } from '../jira/types.js';
import type { AdminAlerts } from '../notify/admin-alerts.js';
import { restoreKeys, SEAT_LOCK_MS, SEAT_WAIT_TTL_SECONDS } from './keys.js';
import type { RestoreLedger } from './restore-ledger.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * Seats are a hard cap: a restore or a grant never makes an application's used seats exceed its
 * seats (numberOfSeats − used, from Jira's application roles). Jira itself lets groups grow past
 * the licence, so the cap is Reclaim's to keep: the check and the joins happen under one lock,
 * and a request only takes a seat that no older waiting request is first in line for.
 */

/** Whether a user with these groups, active or not, takes a seat of the role. */
export function holdsSeat(role: ApplicationRole, groups: readonly string[], active: boolean): boolean {
  return active && role.groups.some((group) => hasGroup(groups, group));
}

/** Seats still free, or undefined when the role has no limit. */
export function freeSeats(role: ApplicationRole): number | undefined {
  if (role.hasUnlimitedSeats || role.numberOfSeats === undefined || role.numberOfSeats < 0) return undefined;
  if (role.remainingSeats !== undefined && role.remainingSeats >= 0) return role.remainingSeats;
  return role.numberOfSeats - (role.userCount ?? 0);
}

/** The roles whose seat the user would newly take by the change. */
export function seatsNeeded(
  roles: readonly ApplicationRole[],
  user: { groups: readonly string[]; active: boolean },
  after: { groups: readonly string[]; active: boolean },
): ApplicationRole[] {
  return roles.filter(
    (role) => !holdsSeat(role, user.groups, user.active) && holdsSeat(role, after.groups, after.active),
  );
}

export interface SeatCheck {
  /** The applications without a seat for this request (oldest request first): it must wait. */
  short: string[];
}

/**
 * Which of the needed applications have no seat for this request: free seats less the older
 * requests waiting for one.
 */
export async function checkSeats(
  ledger: RestoreLedger,
  needed: readonly ApplicationRole[],
  request: { id: string; requestedAt: string },
): Promise<SeatCheck> {
  const short: string[] = [];
  for (const role of needed) {
    const free = freeSeats(role);
    if (free === undefined) continue;
    const ahead = await ledger.waitingBefore(role.key, request.id, request.requestedAt);
    if (free - ahead < 1) short.push(role.key);
  }
  return { short };
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * Runs `work` holding the seat lock (one holder across all workers). The lock expires on its
 * own if its holder dies.
 */
export async function withSeatLock<T>(
  redis: RedisClient,
  prefix: string,
  work: () => Promise<T>,
): Promise<T> {
  const key = restoreKeys(prefix).seatLock;
  const token = randomUUID();
  const deadline = Date.now() + SEAT_LOCK_MS;
  while ((await redis.set(key, token, 'PX', SEAT_LOCK_MS, 'NX')) !== 'OK') {
    if (Date.now() > deadline)
      throw new Error('the seat lock stayed taken: another restore holds it; retrying');
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 150));
  }
  try {
    return await work();
  } finally {
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}

/**
 * The admins hear once per episode that requests wait for a seat of the application: the first
 * request to wait opens the episode (and names the alert); it ends when none is left waiting.
 * Called under the seat lock, so two requests never open two episodes.
 */
export async function alertOncePerEpisode(
  redis: RedisClient,
  prefix: string,
  alerts: AdminAlerts,
  application: string,
  request: { id: string; kind: string; username: string },
): Promise<void> {
  const key = restoreKeys(prefix).seatWait(application);
  if ((await redis.expire(key, SEAT_WAIT_TTL_SECONDS)) === 1) return;
  await alerts.send({
    id: `restore-waiting-for-seat:${application}:${request.id}`,
    kind: 'restore-waiting-for-seat',
    subject: `Reclaim: a ${request.kind} waits for a free ${application} seat`,
    text:
      `${application} has no free seat: the ${request.kind} for ${request.username} (${request.id}) waits ` +
      `and goes through as soon as a seat is free (oldest request first). Free a seat or add seats to the licence.`,
  });
  await redis.set(key, request.id, 'EX', SEAT_WAIT_TTL_SECONDS);
}

/** Ends the waiting episode of each application no request waits for any more. */
export async function endEpisodesWithoutWaiters(
  redis: RedisClient,
  prefix: string,
  ledger: RestoreLedger,
  applications: readonly string[],
): Promise<void> {
  for (const application of applications) {
    if ((await ledger.waitingFor(application)) === 0)
      await redis.del(restoreKeys(prefix).seatWait(application));
  }
}
