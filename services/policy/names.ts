/*
 * Jira compares usernames and group names without regard to case ("Jira-Administrators" is
 * the group "jira-administrators"), so every comparison the policy makes does the same.
 */

/** The lower-cased form used for every comparison of a username or group name. */
export function foldName(name: string): string {
  return name.toLowerCase();
}

/** A set of names that answers membership case-insensitively. */
export class NameSet {
  private readonly folded: Set<string>;

  constructor(names: Iterable<string>) {
    this.folded = new Set([...names].map(foldName));
  }

  has(name: string): boolean {
    return this.folded.has(foldName(name));
  }

  get size(): number {
    return this.folded.size;
  }
}

/** The names in `names` that are in `set`, in their original spelling and order. */
export function namesIn(names: readonly string[], set: NameSet): string[] {
  return names.filter((name) => set.has(name));
}
