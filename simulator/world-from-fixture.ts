import type { Fixture } from './fixture-schema.js';
import { parseLoginTime } from './login-time.js';
import { IdpDirectory } from './idp/idp-directory.js';
import { ScimDirectory } from './scim-directory.js';
import { UserStore, type ApplicationRole } from './user-store.js';
import type { World } from './world.js';

const DEFAULT_TIME_ZONE = 'UTC';
const DEFAULT_LOCALE = 'en_US';
const FIRST_GENERATED_KEY = 10000;

/** Loads a parsed fixture into a store. Groups named by users or roles but not listed are created. */
export function worldFromFixture(fixture: Fixture, profile: World['profile']): World {
  const groupNames: string[] = [];
  const groupIds = new Map<string, number>();
  const groupId = (name: string): number => {
    const lower = name.toLowerCase();
    let id = groupIds.get(lower);
    if (id === undefined) {
      id = groupNames.length;
      groupNames.push(name);
      groupIds.set(lower, id);
    }
    return id;
  };
  fixture.groups.forEach(groupId);
  const roles: ApplicationRole[] = fixture.applicationRoles.map((role) => ({
    key: role.key,
    name: role.name,
    groupIds: role.groups.map(groupId),
    defaultGroupIds: role.defaultGroups.map(groupId),
    numberOfSeats: role.numberOfSeats,
    selectedByDefault: role.selectedByDefault ?? false,
    platform: role.platform ?? role.key === 'jira-core',
  }));
  const userGroupIds = fixture.users.map((user) => user.groups.map(groupId));

  const directories = fixture.directories.map((directory) => ({ ...directory }));
  const store = new UserStore(fixture.users.length, directories, groupNames, roles);
  const usedKeys = new Set(fixture.users.flatMap((user) => (user.key ? [user.key] : [])));
  let nextKey = FIRST_GENERATED_KEY;
  const freshKey = (): string => {
    while (usedKeys.has(`JIRAUSER${nextKey}`)) nextKey++;
    const key = `JIRAUSER${nextKey++}`;
    usedKeys.add(key);
    return key;
  };
  fixture.users.forEach((user, index) => {
    const directoryIndex =
      user.directoryId === undefined
        ? 0
        : directories.findIndex((directory) => directory.id === user.directoryId);
    store.add({
      name: user.name,
      key: user.key ?? freshKey(),
      displayName: user.displayName ?? user.name,
      emailAddress: user.emailAddress ?? `${user.name}@example.com`,
      active: user.active,
      directoryIndex,
      groupIds: userGroupIds[index] ?? [],
      lastLogin: user.lastLoginTime === undefined ? undefined : parseLoginTime(user.lastLoginTime),
      createdAt: user.createdDate === undefined ? undefined : parseLoginTime(user.createdDate)?.epochMs,
      timeZone: user.timeZone ?? DEFAULT_TIME_ZONE,
      locale: user.locale ?? DEFAULT_LOCALE,
    });
  });
  store.seal();

  let scim: ScimDirectory | undefined;
  if (fixture.externalDirectory?.type === 'scim') {
    scim = new ScimDirectory();
    for (const user of fixture.externalDirectory.users) {
      const primary = user.emails?.find((email) => email.primary) ?? user.emails?.[0];
      scim.add({
        userName: user.userName,
        active: user.active,
        displayName: user.displayName,
        email: primary?.value,
      });
    }
  }
  const idp = fixture.externalDirectory ? IdpDirectory.from(fixture.externalDirectory.users) : undefined;
  return {
    profile,
    store,
    scim,
    idp,
    ...(fixture.globalPermissions ? { globalPermissions: fixture.globalPermissions } : {}),
  };
}
