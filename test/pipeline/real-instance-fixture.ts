import type { FixtureInput } from '../../simulator/index.js';
import { INTERNAL_DIRECTORY, SOFTWARE_ROLE } from '../support/fixture-parts.js';

/*
 * A Jira as it looks after a few years, for a run as of AS_OF: 200 active staff present in the
 * IdP; 60 accounts Jira deactivated long ago that the IdP has rightly forgotten; 4 fresh
 * leavers, still active in Jira, gone from the IdP; a break-glass administrator and the account
 * Reclaim works with (`admin`, the simulator's user behind `sim-token`), neither in the IdP;
 * two service accounts outside the company's e-mail domain, not in the IdP either. Staff and
 * leavers are in the `employees` group.
 */

export const AS_OF = new Date('2026-11-29T00:00:00Z');
const RECENT = '2026-11-20T08:00:00Z';
const SOFTWARE = 'jira-software-users';
/** Every member of staff and every leaver; no service account, no administrator. */
export const EMPLOYEES = 'employees';

export const STAFF = Array.from({ length: 200 }, (_, i) => `staff${String(i + 1).padStart(3, '0')}`);
export const DEACTIVATED = Array.from({ length: 60 }, (_, i) => `former${String(i + 1).padStart(2, '0')}`);
export const LEAVERS = ['leaver1', 'leaver2', 'leaver3', 'leaver4'];
export const SERVICE_ACCOUNTS = ['svc-build', 'svc-backup'];
export const BREAK_GLASS_ADMIN = 'breakglass';
/** `/rest/api/2/myself` of the simulator: the account behind `sim-token`. */
export const OWN_ACCOUNT = 'admin';

interface Options {
  /** Include the service accounts (absent from the IdP, e-mails outside example.com). */
  serviceAccounts?: boolean;
}

export function realInstanceFixture(options: Options = {}): FixtureInput {
  const user = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    emailAddress: `${name}@example.com`,
    directoryId: 1,
    groups: [SOFTWARE],
    lastLoginTime: RECENT,
    ...extra,
  });
  return {
    profile: 'dc11',
    applicationRoles: [SOFTWARE_ROLE],
    directories: [INTERNAL_DIRECTORY],
    groups: [SOFTWARE, EMPLOYEES, 'jira-administrators', 'jira-system-administrators'],
    users: [
      ...STAFF.map((name) => user(name, { groups: [SOFTWARE, EMPLOYEES] })),
      ...DEACTIVATED.map((name) => user(name, { active: false, lastLoginTime: '2023-03-01T08:00:00Z' })),
      // One leaver's e-mail domain in capitals: domains are compared case-insensitively.
      ...LEAVERS.map((name, i) =>
        user(name, {
          groups: [SOFTWARE, EMPLOYEES],
          ...(i === 0 ? { emailAddress: `${name}@EXAMPLE.com` } : {}),
        }),
      ),
      user(BREAK_GLASS_ADMIN, {
        groups: [SOFTWARE, 'jira-administrators'],
        lastLoginTime: '2026-01-05T08:00:00Z',
      }),
      user(OWN_ACCOUNT, { groups: [SOFTWARE, 'jira-administrators'] }),
      ...(options.serviceAccounts
        ? [
            user('svc-build', { emailAddress: 'build@ci.example.net' }),
            // No e-mail at all: outside any e-mail domain.
            user('svc-backup', { emailAddress: '' }),
          ]
        : []),
    ],
    externalDirectory: {
      type: 'scim',
      users: STAFF.map((name) => ({ userName: name, active: true })),
    },
  };
}
