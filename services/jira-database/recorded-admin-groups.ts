import type { JiraFacts } from '../runs/types.js';

/*
 * The administer-permission groups a run's scan read from Jira's database, kept in the run's
 * Jira facts (a JSON list: group names may hold any character), so that every evaluation and
 * the apply's re-check protect the same groups.
 */

export const DATABASE_ADMIN_GROUPS_FACT = 'databaseAdminGroups';

export function recordAdminGroups(groups: readonly string[]): Record<string, string> {
  return { [DATABASE_ADMIN_GROUPS_FACT]: JSON.stringify(groups) };
}

/** The recorded groups; none when the run read no database (or an unreadable record). */
export function recordedAdminGroups(jira: JiraFacts | undefined): string[] {
  const value = jira?.facts?.[DATABASE_ADMIN_GROUPS_FACT];
  if (typeof value !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((group): group is string => typeof group === 'string') : [];
  } catch {
    return [];
  }
}
