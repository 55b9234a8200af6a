import type { LicenseConfig } from '../../config/schema.js';
import type { ApplicationRole } from '../jira/types.js';
import type { AdminAlerts } from '../notify/admin-alerts.js';
import { licenceAlertKey } from './keys.js';
import { HISTORY_DAYS, type LicenceHistory, type LicenceReading } from './licence-history.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * The licence monitor (`license-check`, every license.checkEveryMinutes): reads each managed
 * application's seats from Jira's application roles, records them, drops the history older
 * than HISTORY_DAYS, and alerts the admins when usage reaches license.alertAtPercent — once per
 * crossing: again only after usage fell back below the threshold, or after
 * license.alertCooldownHours while it stays above.
 */

const DAY_MS = 24 * 3600 * 1000;

export interface LicenceMonitorDeps {
  applicationRoles(): Promise<ApplicationRole[]>;
  /** The managed applications (jira.applications). */
  applications: readonly string[];
  license: LicenseConfig;
  history: LicenceHistory;
  alerts: AdminAlerts;
  redis: RedisClient;
  prefix: string;
  now?: () => Date;
}

export interface LicenceCheckResult {
  readings: LicenceReading[];
  /** Applications an alert was sent for in this check. */
  alerted: string[];
  /** Managed applications this Jira does not have. */
  missing: string[];
  pruned: number;
}

interface AlertState {
  above: boolean;
  /** Epoch ms of the last alert, or null. */
  alertedAt: number | null;
}

/** Used seats: Jira's count, or seats − remaining where only those are given. */
function usedOf(role: ApplicationRole): number | null {
  if (role.userCount !== undefined) return role.userCount;
  if (role.numberOfSeats !== undefined && role.remainingSeats !== undefined && role.numberOfSeats >= 0)
    return role.numberOfSeats - role.remainingSeats;
  return null;
}

function seatsOf(role: ApplicationRole): number | null {
  if (role.hasUnlimitedSeats || role.numberOfSeats === undefined || role.numberOfSeats < 0) return null;
  return role.numberOfSeats;
}

export function usagePercent(reading: Pick<LicenceReading, 'seats' | 'used'>): number | null {
  if (reading.seats === null || reading.seats <= 0) return null;
  return (reading.used / reading.seats) * 100;
}

export async function checkLicences(deps: LicenceMonitorDeps): Promise<LicenceCheckResult> {
  const now = deps.now?.() ?? new Date();
  const at = now.toISOString();
  const roles = new Map((await deps.applicationRoles()).map((role) => [role.key, role]));
  const readings: LicenceReading[] = [];
  const missing: string[] = [];
  for (const application of deps.applications) {
    const role = roles.get(application);
    const used = role ? usedOf(role) : null;
    if (!role || used === null) {
      missing.push(application);
      continue;
    }
    const seats = seatsOf(role);
    readings.push({ application, at, seats, used, remaining: seats === null ? null : seats - used });
  }
  await deps.history.record(readings);
  const pruned = await deps.history.prune(new Date(now.getTime() - HISTORY_DAYS * DAY_MS));

  const alerted: string[] = [];
  for (const reading of readings) {
    if (await alertIfNeeded(deps, reading, now)) alerted.push(reading.application);
  }
  return { readings, alerted, missing, pruned };
}

async function alertIfNeeded(deps: LicenceMonitorDeps, reading: LicenceReading, now: Date): Promise<boolean> {
  const percent = usagePercent(reading);
  if (percent === null) return false;
  const key = licenceAlertKey(deps.prefix, reading.application);
  const stored = await deps.redis.get(key);
  const state: AlertState = stored ? (JSON.parse(stored) as AlertState) : { above: false, alertedAt: null };
  const threshold = deps.license.alertAtPercent;
  const cooldownMs = deps.license.alertCooldownHours * 3600 * 1000;
  const above = percent >= threshold;
  const due =
    above && (!state.above || state.alertedAt === null || now.getTime() - state.alertedAt >= cooldownMs);
  if (due) {
    await deps.alerts.send({
      id: `licence-threshold-${reading.application}-${now.getTime()}`,
      kind: 'licence-threshold',
      subject: `${reading.application} at ${Math.floor(percent)}% of its seats`,
      text:
        `${reading.application}: ${reading.used} of ${reading.seats} seats used (${percent.toFixed(1)}%), ` +
        `${reading.remaining} remaining, at ${reading.at}. The alert threshold is ${threshold}% ` +
        `(license.alertAtPercent); the next alert comes when usage falls below it and crosses it again, ` +
        `or after ${deps.license.alertCooldownHours} hour(s) (license.alertCooldownHours) if it stays above.`,
    });
  }
  const next: AlertState = { above, alertedAt: due ? now.getTime() : state.alertedAt };
  // Lives as long as checks keep coming, and at least through the cooldown.
  const ttlSeconds = Math.ceil(
    Math.max(cooldownMs, 3 * deps.license.checkEveryMinutes * 60_000) / 1000 + 24 * 3600,
  );
  await deps.redis.set(key, JSON.stringify(next), 'EX', ttlSeconds);
  return due;
}
