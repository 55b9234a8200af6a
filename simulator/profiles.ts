import type { Profile } from './fixture-schema.js';

/** What differs between the Jira versions the simulator plays: listing endpoints, search caps, last login. */
export interface ProfileTraits {
  version: string;
  versionNumbers: [number, number, number];
  buildNumber: number;
  /** `/user/search`: the most users one request returns. */
  searchPageCap: number;
  /** `/user/search`: results beyond this position are unreachable (Jira 10 caps at 100). */
  searchReachableCap: number;
  /** `GET /rest/api/2/user/list` exists (Jira 11 and late 10.3 LTS patches). */
  hasUserList: boolean;
  /** UserBean carries lastLoginTime (Jira 10+). */
  hasLastLoginTime: boolean;
  /** `GET /rest/api/2/group` (members via `expand=users[a:b]`) exists: removed in Jira 10. */
  hasGroupResource: boolean;
}

export const PROFILES: Record<Profile, ProfileTraits> = {
  dc9: {
    version: '9.12.15',
    versionNumbers: [9, 12, 15],
    buildNumber: 9120015,
    searchPageCap: 1000,
    searchReachableCap: Number.POSITIVE_INFINITY,
    hasUserList: false,
    hasLastLoginTime: false,
    hasGroupResource: true,
  },
  dc10: {
    version: '10.3.12',
    versionNumbers: [10, 3, 12],
    buildNumber: 10030012,
    searchPageCap: 100,
    searchReachableCap: 100,
    hasUserList: false,
    hasLastLoginTime: true,
    hasGroupResource: false,
  },
  dc11: {
    version: '11.3.0',
    versionNumbers: [11, 3, 0],
    buildNumber: 11030000,
    searchPageCap: 100,
    searchReachableCap: 100,
    hasUserList: true,
    hasLastLoginTime: true,
    hasGroupResource: false,
  },
};
