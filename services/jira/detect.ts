import { SEARCH_CAP } from './listing.js';
import type { JiraCapabilities, ListingStrategyName } from './types.js';

/*
 * What a Jira can do, from its version and two probes. The version alone is not trusted for
 * `/user/list` (it arrived in a 10.3 LTS patch whose number is not documented) nor for
 * `lastLoginTime` (a version may carry the field and never fill it).
 */

/** `"10.3.12"` → `[10, 3, 12]`; `"9.12.15-SNAPSHOT"` → `[9, 12, 15]`; missing or unreadable parts are 0. */
export function parseVersion(version: string): [number, number, number] {
  const parts = version.split(/[.-]/).map((part) => Number.parseInt(part, 10));
  const at = (index: number) => (Number.isFinite(parts[index]) ? (parts[index] as number) : 0);
  return [at(0), at(1), at(2)];
}

export interface DetectionFacts {
  version: string;
  /** `/user/list` answered (not 404). */
  hasUserList: boolean;
  /** A sample of users from the listing endpoint had `lastLoginTime` on at least one of them. */
  lastLoginFieldObserved: boolean;
}

export function capabilitiesFrom(facts: DetectionFacts): JiraCapabilities {
  const versionNumbers = parseVersion(facts.version);
  // Jira 10 stopped `/user/search` at the first 100 results (JRASERVER-78520, "not a bug").
  const searchCap = versionNumbers[0] >= 10 ? SEARCH_CAP : null;
  const listingStrategy: ListingStrategyName = facts.hasUserList
    ? 'user-list'
    : searchCap === null
      ? 'paged-search'
      : 'partitioned-search';
  return {
    version: facts.version,
    versionNumbers,
    hasUserList: facts.hasUserList,
    searchCap,
    // A version that should carry the field but leaves it empty for everyone falls back to
    // Crowd's attributes: reading its silence as "never logged in" would reclaim everyone.
    lastLoginSource: facts.lastLoginFieldObserved ? 'user-field' : 'crowd-attributes',
    lastLoginFieldObserved: facts.lastLoginFieldObserved,
    listingStrategy,
  };
}
