import { lastLoginFromCrowdAttributes } from './last-login.js';
import type { BulkLastLogins, LastLogin } from './types.js';
import type { CrowdUser } from './wire.js';
import { crowdAttributes } from './wire.js';

/*
 * Jira 9's last logins in bulk: Crowd's user search (`/rest/usermanagement/1/search`) with the
 * users' attributes, a page of up to 1,000 users a request, loaded once per run. Kept as one
 * number per username (epoch ms; NEVER for "no login attribute"), so a million users fit in
 * tens of megabytes. A user whose attribute is unreadable is left out: asked on its own, it
 * comes back `unknown` with the reason.
 */

const NEVER = -1;

/** Why Jira's last logins cannot be read without a Jira User Server application. */
export function crowdNotConfiguredReason(version: string): string {
  const major = version.split('.')[0] || version;
  return `Jira ${major}: last logins need a Jira User Server application (\`jira.crowd\`), or the database source`;
}

export class CrowdLastLoginIndex {
  private readonly byName = new Map<string, number>();

  add(users: readonly CrowdUser[]): void {
    for (const user of users) {
      if (user.name === undefined) continue;
      const fact = lastLoginFromCrowdAttributes(crowdAttributes(user));
      if (fact.status === 'known') this.byName.set(user.name.toLowerCase(), fact.at.getTime());
      else if (fact.status === 'never') this.byName.set(user.name.toLowerCase(), NEVER);
    }
  }

  get size(): number {
    return this.byName.size;
  }

  /** The user's last login, or undefined when the search did not return it readable. */
  get(username: string): LastLogin | undefined {
    const millis = this.byName.get(username.toLowerCase());
    if (millis === undefined) return undefined;
    if (millis === NEVER) return { status: 'never', source: 'crowd-attributes' };
    return { status: 'known', at: new Date(millis), source: 'crowd-attributes' };
  }

  loaded(): BulkLastLogins {
    return {
      status: 'loaded',
      source: 'crowd-attributes',
      size: this.size,
      get: (username) => this.get(username),
    };
  }
}
