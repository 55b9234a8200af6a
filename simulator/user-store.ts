import { formatLoginTime, type LoginTime } from './login-time.js';

/*
 * The simulated Jira's user directory, laid out in columns (one array per field, typed
 * arrays for numbers and flags, interned ids for groups, time zones and locales) so that a
 * million users fit in a few hundred megabytes. REST shapes are built from it per request.
 */

export interface Directory {
  id: number;
  name: string;
  readOnly: boolean;
}

export interface ApplicationRole {
  key: string;
  name: string;
  groupIds: number[];
  defaultGroupIds: number[];
  /** -1 = unlimited. */
  numberOfSeats: number;
  selectedByDefault: boolean;
  platform: boolean;
}

export interface NewUser {
  name: string;
  key: string;
  displayName: string;
  emailAddress: string;
  active: boolean;
  directoryIndex: number;
  groupIds: readonly number[];
  lastLogin?: LoginTime;
  /** When the account was created (epoch ms); unknown when absent. */
  createdAt?: number;
  timeZone: string;
  locale: string;
}

export interface UserChanges {
  name?: string;
  emailAddress?: string;
  displayName?: string;
  active?: boolean;
}

/** One change the simulated Jira applied to a user, as its mutation log keeps it. */
export type AppliedChange =
  | { op: 'add-group' | 'remove-group'; group: string }
  | { op: 'update'; field: keyof UserChanges; from: string | boolean; to: string | boolean };

/**
 * One mutation (what `mutations` counts): the changes one request applied to one user, in the
 * order they were applied across the whole simulator (`seq`).
 */
export interface MutationRecord {
  seq: number;
  /** When it was applied (ISO-8601 UTC). */
  at: string;
  key: string;
  /** The username after the change. */
  name: string;
  changes: AppliedChange[];
}

const NEW_KEY = /^JIRAUSER([1-9]\d{0,8})$/;
const NO_GROUPS: readonly number[] = [];

/** Interns repeated strings (time zones, locales) as small numbers. */
class StringTable {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
}

export class UserStore {
  readonly directories: Directory[];
  readonly groupNames: string[];
  readonly roles: ApplicationRole[];
  private readonly groupIdsByLowerName = new Map<string, number>();

  private count = 0;
  private readonly capacity: number;
  // Filled by push: V8 keeps a pre-sized array of a million holes in slow dictionary mode.
  private readonly names: string[] = [];
  private readonly lowerNames: string[] = [];
  private readonly displayNames: string[] = [];
  private readonly emails: string[] = [];
  /** n of a `JIRAUSERn` key, or -1 when the key is kept in `otherKeys` (old users: key == name). */
  private readonly keyNumbers: Int32Array;
  private readonly otherKeys = new Map<number, string>();
  private readonly activeFlags: Uint8Array;
  private readonly directoryIndexes: Uint16Array;
  /** NaN = never logged in. */
  private readonly lastLoginMs: Float64Array;
  private readonly lastLoginOffsets: Int16Array;
  /** NaN = creation date unknown. */
  private readonly createdMs: Float64Array;
  private readonly timeZoneIds: Uint16Array;
  private readonly localeIds: Uint16Array;
  private readonly timeZones = new StringTable();
  private readonly locales = new StringTable();
  private readonly mutationCounts: Uint32Array;
  private mutationTotal = 0;
  /** Every applied mutation, oldest first; only users that changed take room. */
  private readonly mutationRecords: MutationRecord[] = [];
  private readonly mutationSeqsByIndex = new Map<number, number[]>();
  /** Told of every mutation as it is applied, before Jira answers the request. */
  mutationListener: ((record: MutationRecord) => void) | undefined;
  /** Told of every change to a user after loading (the simulator's database mirror follows it). */
  changeListener: ((index: number) => void) | undefined;

  /* Memberships as loaded (compressed rows), and the rows of users changed since. */
  private groupRowStart: Uint32Array;
  private groupRowData: Uint32Array;
  private readonly pendingRows: number[] = [];
  private readonly changedRows = new Map<number, number[]>();

  private readonly indexByLowerName = new Map<string, number>();
  /**
   * User indexes sorted by lower-case name (Jira lists users by username). Sorting a million
   * names takes seconds, so it happens on the first request that needs it, not at load.
   */
  private sortedOrder: Int32Array | undefined;
  private readonly membersByGroup = new Map<number, Int32Array>();
  private roleUserCounts: number[] | undefined;

  constructor(capacity: number, directories: Directory[], groupNames: string[], roles: ApplicationRole[]) {
    this.capacity = capacity;
    this.directories = directories;
    this.groupNames = groupNames;
    this.roles = roles;
    groupNames.forEach((name, id) => this.groupIdsByLowerName.set(name.toLowerCase(), id));
    this.keyNumbers = new Int32Array(capacity);
    this.activeFlags = new Uint8Array(capacity);
    this.directoryIndexes = new Uint16Array(capacity);
    this.lastLoginMs = new Float64Array(capacity).fill(NaN);
    this.lastLoginOffsets = new Int16Array(capacity);
    this.createdMs = new Float64Array(capacity).fill(NaN);
    this.timeZoneIds = new Uint16Array(capacity);
    this.localeIds = new Uint16Array(capacity);
    this.mutationCounts = new Uint32Array(capacity);
    this.groupRowStart = new Uint32Array(capacity + 1);
    this.groupRowData = new Uint32Array(0);
  }

  get size(): number {
    return this.count;
  }

  get totalMutations(): number {
    return this.mutationTotal;
  }

  /** Adds a user while loading; call `seal()` once all are added. */
  add(user: NewUser): number {
    if (this.count >= this.capacity) throw new Error('user store is full');
    const lowerName = user.name.toLowerCase();
    if (this.indexByLowerName.has(lowerName)) throw new Error(`duplicate user name "${user.name}"`);
    const index = this.count++;
    this.names.push(user.name);
    this.lowerNames.push(lowerName === user.name ? user.name : lowerName);
    this.indexByLowerName.set(lowerName, index);
    this.displayNames.push(user.displayName);
    this.emails.push(user.emailAddress);
    const newKey = NEW_KEY.exec(user.key);
    if (newKey) {
      this.keyNumbers[index] = Number(newKey[1]);
    } else {
      this.keyNumbers[index] = -1;
      this.otherKeys.set(index, user.key);
    }
    this.activeFlags[index] = user.active ? 1 : 0;
    this.directoryIndexes[index] = user.directoryIndex;
    if (user.lastLogin) {
      this.lastLoginMs[index] = user.lastLogin.epochMs;
      this.lastLoginOffsets[index] = user.lastLogin.offsetMinutes;
    }
    if (user.createdAt !== undefined) this.createdMs[index] = user.createdAt;
    this.timeZoneIds[index] = this.timeZones.intern(user.timeZone);
    this.localeIds[index] = this.locales.intern(user.locale);
    const rowStart = this.pendingRows.length;
    this.groupRowStart[index] = rowStart;
    for (const groupId of user.groupIds) {
      if (this.pendingRows.indexOf(groupId, rowStart) < 0) this.pendingRows.push(groupId);
    }
    return index;
  }

  /** Freezes the loaded memberships into typed arrays. */
  seal(): void {
    this.groupRowStart[this.count] = this.pendingRows.length;
    this.groupRowStart = this.groupRowStart.subarray(0, this.count + 1);
    this.groupRowData = Uint32Array.from(this.pendingRows);
    this.pendingRows.length = 0;
  }

  // ---- lookups ----

  indexOfName(name: string): number | undefined {
    return this.indexByLowerName.get(name.toLowerCase());
  }

  indexOfKey(key: string): number | undefined {
    const newKey = NEW_KEY.exec(key);
    if (newKey) {
      const wanted = Number(newKey[1]);
      // Keys are usually handed out in load order from 10000: try that slot before scanning.
      const likely = wanted - 10000;
      if (likely >= 0 && likely < this.count && this.keyNumbers[likely] === wanted) return likely;
      const index = this.keyNumbers.indexOf(wanted);
      if (index >= 0 && index < this.count) return index;
    }
    for (const [index, otherKey] of this.otherKeys) if (otherKey === key) return index;
    return undefined;
  }

  groupIdOf(name: string): number | undefined {
    return this.groupIdsByLowerName.get(name.toLowerCase());
  }

  roleOf(key: string): ApplicationRole | undefined {
    return this.roles.find((role) => role.key === key);
  }

  // ---- fields ----

  name(index: number): string {
    return this.names[index] as string;
  }
  lowerName(index: number): string {
    return this.lowerNames[index] as string;
  }
  key(index: number): string {
    const keyNumber = this.keyNumbers[index] as number;
    return keyNumber >= 0 ? `JIRAUSER${keyNumber}` : (this.otherKeys.get(index) as string);
  }
  displayName(index: number): string {
    return this.displayNames[index] as string;
  }
  emailAddress(index: number): string {
    return this.emails[index] as string;
  }
  isActive(index: number): boolean {
    return this.activeFlags[index] === 1;
  }
  directory(index: number): Directory {
    return this.directories[this.directoryIndexes[index] as number] as Directory;
  }
  timeZone(index: number): string {
    return this.timeZones.values[this.timeZoneIds[index] as number] as string;
  }
  locale(index: number): string {
    return this.locales.values[this.localeIds[index] as number] as string;
  }
  /** Epoch ms of the last login, or undefined when the user never logged in. */
  lastLoginEpochMs(index: number): number | undefined {
    const value = this.lastLoginMs[index] as number;
    return Number.isNaN(value) ? undefined : value;
  }
  /** Epoch ms of the account's creation, or undefined when unknown. */
  createdEpochMs(index: number): number | undefined {
    const value = this.createdMs[index] as number;
    return Number.isNaN(value) ? undefined : value;
  }
  /** lastLoginTime as Jira renders it, with the offset it was recorded with. */
  lastLoginTime(index: number): string | undefined {
    const value = this.lastLoginMs[index] as number;
    return Number.isNaN(value) ? undefined : formatLoginTime(value, this.lastLoginOffsets[index] as number);
  }
  mutations(index: number): number {
    return this.mutationCounts[index] as number;
  }
  /** The user's mutations, oldest first. */
  mutationLogOf(index: number): MutationRecord[] {
    return (this.mutationSeqsByIndex.get(index) ?? []).map((seq) => this.mutationRecords[seq - 1]!);
  }
  /** Every mutation with a seq above `afterSeq`, oldest first. */
  mutationLog(afterSeq = 0): MutationRecord[] {
    return this.mutationRecords.slice(Math.max(0, afterSeq));
  }

  groupIdsOf(index: number): readonly number[] | Uint32Array {
    const changed = this.changedRows.get(index);
    if (changed) return changed;
    const start = this.groupRowStart[index];
    const end = this.groupRowStart[index + 1];
    if (start === undefined || end === undefined || start === end) return NO_GROUPS;
    return this.groupRowData.subarray(start, end);
  }

  isMember(index: number, groupId: number): boolean {
    // Called for every user when a group's member list is built: no allocation on this path.
    if (this.changedRows.size > 0) {
      const changed = this.changedRows.get(index);
      if (changed) return changed.includes(groupId);
    }
    const end = this.groupRowStart[index + 1] as number;
    for (let row = this.groupRowStart[index] as number; row < end; row++) {
      if (this.groupRowData[row] === groupId) return true;
    }
    return false;
  }

  /** Group names of a user, in name order. */
  groupNamesOf(index: number): string[] {
    return Array.from(this.groupIdsOf(index), (id) => this.groupNames[id] as string).sort((a, b) =>
      a.toLowerCase() < b.toLowerCase() ? -1 : 1,
    );
  }

  /** Roles the user gets through its groups. */
  rolesOf(index: number): ApplicationRole[] {
    const groupIds = this.groupIdsOf(index);
    return this.roles.filter((role) => role.groupIds.some((id) => groupIds.includes(id)));
  }

  /** All user indexes in username order (case-insensitive). */
  get usernameOrder(): Int32Array {
    if (!this.sortedOrder) {
      const order = new Int32Array(this.count);
      for (let i = 0; i < this.count; i++) order[i] = i;
      const lower = this.lowerNames;
      order.sort((a, b) => ((lower[a] as string) < (lower[b] as string) ? -1 : 1));
      this.sortedOrder = order;
    }
    return this.sortedOrder;
  }

  /** Members of a group in username order, computed once and kept until the group changes. */
  membersOf(groupId: number): Int32Array {
    let members = this.membersByGroup.get(groupId);
    if (!members) {
      const found: number[] = [];
      for (const index of this.usernameOrder) if (this.isMember(index, groupId)) found.push(index);
      members = Int32Array.from(found);
      this.membersByGroup.set(groupId, members);
    }
    return members;
  }

  /** Distinct active users holding each role through any of its groups (Jira's seat count). */
  roleUserCount(role: ApplicationRole): number {
    if (!this.roleUserCounts) {
      const counts = this.roles.map(() => 0);
      const roleGroupSets = this.roles.map((r) => new Set(r.groupIds));
      for (let index = 0; index < this.count; index++) {
        if (this.activeFlags[index] !== 1) continue;
        const groupIds = this.groupIdsOf(index);
        if (groupIds.length === 0) continue;
        roleGroupSets.forEach((set, roleIndex) => {
          if (groupIds.some((id) => set.has(id))) counts[roleIndex] = (counts[roleIndex] as number) + 1;
        });
      }
      this.roleUserCounts = counts;
    }
    return this.roleUserCounts[this.roles.indexOf(role)] ?? 0;
  }

  // ---- changes ----

  /** Adds a membership; false if the user already was a member. */
  addToGroup(index: number, groupId: number): boolean {
    const current = this.groupIdsOf(index);
    if (current.includes(groupId)) return false;
    this.changedRows.set(index, [...current, groupId]);
    this.afterGroupChange(index, groupId, 'add-group');
    return true;
  }

  /** Removes a membership; false if the user was not a member. */
  removeFromGroup(index: number, groupId: number): boolean {
    const current = this.groupIdsOf(index);
    if (!current.includes(groupId)) return false;
    this.changedRows.set(
      index,
      Array.from(current).filter((id) => id !== groupId),
    );
    this.afterGroupChange(index, groupId, 'remove-group');
    return true;
  }

  /** Applies a user update; returns true when anything changed (one mutation). */
  update(index: number, changes: UserChanges): boolean {
    const applied: AppliedChange[] = [];
    if (changes.name !== undefined && changes.name !== this.names[index]) {
      applied.push({ op: 'update', field: 'name', from: this.names[index] as string, to: changes.name });
      this.rename(index, changes.name);
    }
    if (changes.emailAddress !== undefined && changes.emailAddress !== this.emails[index]) {
      const from = this.emails[index] as string;
      applied.push({ op: 'update', field: 'emailAddress', from, to: changes.emailAddress });
      this.emails[index] = changes.emailAddress;
    }
    if (changes.displayName !== undefined && changes.displayName !== this.displayNames[index]) {
      const from = this.displayNames[index] as string;
      applied.push({ op: 'update', field: 'displayName', from, to: changes.displayName });
      this.displayNames[index] = changes.displayName;
    }
    if (changes.active !== undefined && changes.active !== this.isActive(index)) {
      applied.push({ op: 'update', field: 'active', from: this.isActive(index), to: changes.active });
      this.activeFlags[index] = changes.active ? 1 : 0;
      this.roleUserCounts = undefined;
    }
    if (applied.length > 0) this.countMutation(index, applied);
    return applied.length > 0;
  }

  /** Records a login now (or at the given instant), keeping the user's offset. */
  recordLogin(index: number, epochMs: number): void {
    this.lastLoginMs[index] = epochMs;
    this.changeListener?.(index);
  }

  private afterGroupChange(index: number, groupId: number, op: 'add-group' | 'remove-group'): void {
    this.membersByGroup.delete(groupId);
    this.roleUserCounts = undefined;
    this.countMutation(index, [{ op, group: this.groupNames[groupId] as string }]);
  }

  private countMutation(index: number, changes: AppliedChange[]): void {
    this.mutationCounts[index] = (this.mutationCounts[index] as number) + 1;
    this.mutationTotal++;
    const record: MutationRecord = {
      seq: this.mutationRecords.length + 1,
      at: new Date().toISOString(),
      key: this.key(index),
      name: this.name(index),
      changes,
    };
    this.mutationRecords.push(record);
    const seqs = this.mutationSeqsByIndex.get(index);
    if (seqs) seqs.push(record.seq);
    else this.mutationSeqsByIndex.set(index, [record.seq]);
    this.changeListener?.(index);
    this.mutationListener?.(record);
  }

  private rename(index: number, newName: string): void {
    const oldLower = this.lowerNames[index] as string;
    const newLower = newName.toLowerCase();
    const order = this.sortedOrder;
    if (order) {
      const oldPosition = this.positionOf(order, oldLower);
      order.copyWithin(oldPosition, oldPosition + 1);
    }
    this.indexByLowerName.delete(oldLower);
    this.names[index] = newName;
    this.lowerNames[index] = newLower === newName ? newName : newLower;
    this.indexByLowerName.set(newLower, index);
    if (order) {
      // Insert among the remaining count-1 entries, shifting the tail right by one.
      const position = this.positionOf(order.subarray(0, order.length - 1), newLower);
      order.copyWithin(position + 1, position, order.length - 1);
      order[position] = index;
    }
    // Every group the user is in lists members by name: their cached order is stale.
    for (const groupId of this.groupIdsOf(index)) this.membersByGroup.delete(groupId);
  }

  /** First position in a name-sorted order whose name is not below `lowerName`. */
  private positionOf(order: Int32Array, lowerName: string): number {
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.lowerNames[order[middle] as number] as string) < lowerName) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
