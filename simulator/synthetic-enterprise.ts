import type { Profile } from './fixture-schema.js';
import { pick, randomInt, seededRandom, type Random } from './prng.js';
import { ScimDirectory } from './scim-directory.js';
import { UserStore, type ApplicationRole, type Directory } from './user-store.js';
import type { World } from './world.js';

/*
 * A made-up enterprise that looks like the Jira instances Reclaim meets: an internal
 * directory, a large read-only LDAP, a few admins, three licensed applications, team
 * groups, and a last-login spread with the usual share of stale and never-used accounts.
 * The same seed and reference time always give the same enterprise.
 */

export interface SyntheticEnterpriseOptions {
  users: number;
  seed: number;
  referenceTime: Date;
  profile: Profile;
}

// prettier-ignore
const FIRST_NAMES = [
  'james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david', 'elizabeth',
  'william', 'barbara', 'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'charles', 'karen',
  'christopher', 'lisa', 'daniel', 'nancy', 'matthew', 'betty', 'anthony', 'sandra', 'mark', 'margaret',
  'donald', 'ashley', 'steven', 'kimberly', 'andrew', 'emily', 'paul', 'donna', 'joshua', 'michelle',
  'kenneth', 'carol', 'kevin', 'amanda', 'brian', 'melissa', 'george', 'deborah', 'timothy', 'stephanie',
  'ronald', 'dorothy', 'jason', 'rebecca', 'edward', 'sharon', 'jeffrey', 'laura', 'ryan', 'cynthia',
  'jacob', 'amy', 'gary', 'kathleen', 'nicholas', 'angela', 'eric', 'shirley', 'jonathan', 'brenda',
  'stephen', 'emma', 'larry', 'anna', 'justin', 'pamela', 'scott', 'nicole', 'brandon', 'samantha',
  'benjamin', 'katherine', 'samuel', 'christine', 'gregory', 'helen', 'alexander', 'debra', 'patrick', 'rachel',
  'frank', 'carolyn', 'raymond', 'janet', 'jack', 'maria', 'dennis', 'olivia', 'jerry', 'heather',
  'aiko', 'hiroshi', 'priya', 'arjun', 'wei', 'mei', 'lars', 'ingrid', 'jurgen', 'anke',
];
// prettier-ignore
const LAST_NAMES = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez',
  'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin',
  'lee', 'perez', 'thompson', 'white', 'harris', 'sanchez', 'clark', 'ramirez', 'lewis', 'robinson',
  'walker', 'young', 'allen', 'king', 'wright', 'scott', 'torres', 'nguyen', 'hill', 'flores',
  'green', 'adams', 'nelson', 'baker', 'hall', 'rivera', 'campbell', 'mitchell', 'carter', 'roberts',
  'gomez', 'phillips', 'evans', 'turner', 'diaz', 'parker', 'cruz', 'edwards', 'collins', 'reyes',
  'stewart', 'morris', 'morales', 'murphy', 'cook', 'rogers', 'gutierrez', 'ortiz', 'morgan', 'cooper',
  'peterson', 'bailey', 'reed', 'kelly', 'howard', 'ramos', 'kim', 'cox', 'ward', 'richardson',
  'watson', 'brooks', 'chavez', 'wood', 'james', 'bennett', 'gray', 'mendoza', 'ruiz', 'hughes',
  'price', 'alvarez', 'castillo', 'sanders', 'patel', 'myers', 'long', 'ross', 'foster', 'jimenez',
  'tanaka', 'suzuki', 'sharma', 'gupta', 'wang', 'zhang', 'larsen', 'nilsson', 'schmidt', 'weber',
];
const SERVICE_WORDS = [
  'build',
  'deploy',
  'backup',
  'sync',
  'report',
  'monitor',
  'import',
  'bot',
  'ci',
  'audit',
];

/** Where users sit; offsets are fixed (no daylight saving) to keep the spread reproducible. */
const ZONES = [
  { timeZone: 'UTC', offsetMinutes: 0, locale: 'en_US', weight: 0.7 },
  { timeZone: 'Australia/Sydney', offsetMinutes: 600, locale: 'en_AU', weight: 0.06 },
  { timeZone: 'America/New_York', offsetMinutes: -300, locale: 'en_US', weight: 0.07 },
  { timeZone: 'Asia/Kolkata', offsetMinutes: 330, locale: 'en_IN', weight: 0.05 },
  { timeZone: 'Europe/Berlin', offsetMinutes: 60, locale: 'de_DE', weight: 0.06 },
  { timeZone: 'America/Los_Angeles', offsetMinutes: -480, locale: 'en_US', weight: 0.03 },
  { timeZone: 'Asia/Tokyo', offsetMinutes: 540, locale: 'ja_JP', weight: 0.03 },
] as const;

const DAY_MS = 86_400_000;

/** The enterprise's user directories; the Corporate LDAP is read-only, as Jira's LDAP directories usually are. */
export const SYNTHETIC_DIRECTORIES: readonly Directory[] = [
  { id: 1, name: 'Jira Internal Directory', readOnly: false },
  { id: 10000, name: 'Corporate LDAP', readOnly: true },
  { id: 10100, name: 'Delegated LDAP Authentication', readOnly: false },
];
const INTERNAL = 0;
const LDAP = 1;
const DELEGATED = 2;

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function pickZone(random: Random): (typeof ZONES)[number] {
  let roll = random();
  for (const zone of ZONES) {
    roll -= zone.weight;
    if (roll < 0) return zone;
  }
  return ZONES[0];
}

/** Days since the last login, or undefined for never; plus whether the account is deactivated. */
function pickActivity(random: Random): { daysAgo: number | undefined; active: boolean } {
  const roll = random();
  if (roll < 0.05)
    return { daysAgo: random() < 0.3 ? undefined : randomInt(random, 120, 1500), active: false };
  if (roll < 0.15) return { daysAgo: undefined, active: true };
  if (roll < 0.35) return { daysAgo: randomInt(random, 91, 1000), active: true };
  if (roll < 0.95) return { daysAgo: randomInt(random, 0, 85), active: true };
  // Near the usual 90-day threshold, where off-by-one mistakes show.
  return { daysAgo: randomInt(random, 86, 95), active: true };
}

export function syntheticEnterprise(options: SyntheticEnterpriseOptions): World {
  const { users: userCount, seed, referenceTime, profile } = options;
  const random = seededRandom(seed);
  const now = Math.floor(referenceTime.getTime() / 1000) * 1000;

  const teamCount = Math.max(1, Math.ceil(userCount / 40));
  const groupNames = [
    'jira-software-users',
    'jira-servicedesk-users',
    'jira-core-users',
    'jira-administrators',
    'jira-system-administrators',
    'service-accounts',
    'jira-inactive-users',
  ];
  const [SOFTWARE, SERVICEDESK, CORE, ADMINS, SYSADMINS, SERVICE_ACCOUNTS] = [0, 1, 2, 3, 4, 5];
  const firstTeam = groupNames.length;
  for (let team = 1; team <= teamCount; team++) groupNames.push(`team-${String(team).padStart(3, '0')}`);

  const roles: ApplicationRole[] = [
    {
      key: 'jira-software',
      name: 'Jira Software',
      groupIds: [SOFTWARE],
      defaultGroupIds: [SOFTWARE],
      numberOfSeats: 0,
      selectedByDefault: true,
      platform: false,
    },
    {
      key: 'jira-servicedesk',
      name: 'Jira Service Management',
      groupIds: [SERVICEDESK],
      defaultGroupIds: [SERVICEDESK],
      numberOfSeats: 0,
      selectedByDefault: false,
      platform: false,
    },
    {
      key: 'jira-core',
      name: 'Jira Core',
      groupIds: [CORE],
      defaultGroupIds: [CORE],
      numberOfSeats: 0,
      selectedByDefault: false,
      platform: true,
    },
  ];

  const store = new UserStore(userCount, [...SYNTHETIC_DIRECTORIES], groupNames, roles);
  const scim = new ScimDirectory();
  const usedBaseNames = new Map<string, number>();
  // Thousands of people share a display name: one string each saves memory at a million users.
  const displayNames = new Map<string, string>();
  const oldKeyUsers = Math.floor(userCount * 0.05);
  const adminCount = Math.min(5, userCount);

  for (let index = 0; index < userCount; index++) {
    const groups: number[] = [];
    let name: string;
    let displayName: string;
    let directoryIndex = INTERNAL;
    let activity = pickActivity(random);
    const zone = pickZone(random);

    if (index === 0) {
      name = 'admin';
      displayName = 'Administrator';
      groups.push(ADMINS, SYSADMINS, SOFTWARE);
      activity = { daysAgo: 0, active: true };
    } else if (random() < 0.005) {
      name = `svc-${pick(random, SERVICE_WORDS)}-${index}`;
      displayName = `Service Account ${capitalise(name.slice(4))}`;
      groups.push(SERVICE_ACCOUNTS, SOFTWARE);
    } else {
      const first = pick(random, FIRST_NAMES);
      const last = pick(random, LAST_NAMES);
      const base = `${first}.${last}`;
      const seen = usedBaseNames.get(base) ?? 0;
      usedBaseNames.set(base, seen + 1);
      name = seen === 0 ? base : `${base}${seen + 1}`;
      displayName = displayNames.get(base) ?? `${capitalise(first)} ${capitalise(last)}`;
      displayNames.set(base, displayName);
      const directoryRoll = random();
      directoryIndex = directoryRoll < 0.4 ? LDAP : directoryRoll < 0.45 ? DELEGATED : INTERNAL;
      if (index < adminCount) groups.push(ADMINS);
      const licenceRoll = random();
      if (licenceRoll < 0.85) groups.push(SOFTWARE);
      if (random() < 0.15) groups.push(SERVICEDESK);
      if (random() < 0.2) groups.push(CORE);
      const teams = randomInt(random, 1, 3);
      for (let t = 0; t < teams; t++) groups.push(firstTeam + randomInt(random, 0, teamCount - 1));
    }

    const emailAddress = `${name}@example.com`;
    const lastLogin =
      activity.daysAgo === undefined
        ? undefined
        : {
            epochMs: now - activity.daysAgo * DAY_MS - randomInt(random, 0, 86_399) * 1000,
            offsetMinutes: zone.offsetMinutes,
          };
    store.add({
      name,
      key: index === 0 || index < oldKeyUsers ? name : `JIRAUSER${10000 + index}`,
      displayName,
      emailAddress,
      active: activity.active,
      directoryIndex,
      groupIds: groups,
      lastLogin,
      timeZone: zone.timeZone,
      locale: zone.locale,
    });

    const presence = random();
    if (presence < 0.95) scim.add({ userName: name, active: true, displayName, email: emailAddress });
    else if (presence >= 0.98) scim.add({ userName: name, active: false, displayName, email: emailAddress });
    // else: the person left and the IdP no longer knows them.
  }
  store.seal();

  // Licences bought with some headroom over what is in use today.
  for (const role of roles) {
    const used = store.roleUserCount(role);
    role.numberOfSeats = Math.ceil((used * 1.1) / 10) * 10 + 10;
  }
  return { profile, store, scim };
}
