import type { ApplicationRole } from '../jira/types.js';

export interface LicenceGroups {
  /** Groups that grant one of the managed applications, per application key. */
  byApplication: Map<string, string[]>;
  /** All of them, lower-cased for comparison as Jira compares group names. */
  all: Set<string>;
  /** Managed applications this Jira does not define (said in the run's notes). */
  missing: string[];
}

/** The groups whose membership is a licence for one of the managed applications. */
export function licenceGroupsOf(roles: ApplicationRole[], managed: readonly string[]): LicenceGroups {
  const byApplication = new Map<string, string[]>();
  const missing: string[] = [];
  for (const key of managed) {
    const role = roles.find((r) => r.key === key);
    if (role) byApplication.set(key, role.groups);
    else missing.push(key);
  }
  const all = new Set([...byApplication.values()].flat().map((g) => g.toLowerCase()));
  return { byApplication, all, missing };
}
