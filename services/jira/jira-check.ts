import type { JiraDirectory } from './jira-directory.js';
import type { ConnectionCheck, JiraCapabilities, LastLoginReadiness } from './types.js';

/*
 * What `reclaim jira check` and a scan's first step want to know before anything else: the
 * Jira reached, how its users will be listed, where their last logins come from, and that the
 * account may administer it. A Jira whose last logins cannot be read is a failed check that
 * names the fix, because every login rule would otherwise end `undetermined`.
 */

export interface JiraCheckReport {
  connection: ConnectionCheck;
  capabilities: JiraCapabilities;
  lastLogins: LastLoginReadiness;
  /** The problems that make the check fail; empty when Reclaim can work here. */
  problems: string[];
}

/** Throws what `checkConnection()` throws (unreachable, refused, not an administrator). */
export async function checkJira(jira: JiraDirectory): Promise<JiraCheckReport> {
  const connection = await jira.checkConnection();
  const capabilities = await jira.detect();
  const lastLogins = await jira.lastLoginReadiness();
  const problems = lastLogins.status === 'missing' ? [lastLogins.reason] : [];
  return { connection, capabilities, lastLogins, problems };
}

/** The report as the lines the CLI prints. */
export function describeJiraCheck(report: JiraCheckReport): string[] {
  const { connection, capabilities, lastLogins } = report;
  const user = connection.user.displayName
    ? `${connection.user.name} (${connection.user.displayName})`
    : connection.user.name;
  return [
    `Jira ${capabilities.version} at ${connection.baseUrl}${connection.serverTitle ? ` — ${connection.serverTitle}` : ''}`,
    `listing: ${capabilities.listingStrategy}`,
    lastLogins.status === 'ready'
      ? `last logins: ${lastLogins.source}, ${lastLogins.how}`
      : `last logins: unknown — ${lastLogins.reason}`,
    `account: ${user}, Jira administrator (ADMINISTER): yes`,
  ];
}
