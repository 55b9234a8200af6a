import { ABSENT, type DirectoryAnswer, type DirectoryEntry, type PresentAnswer } from './directory-answer.js';

/*
 * A whole directory in memory for one run: lower-cased userName → answer. Answers are
 * interned (a directory has a handful of distinct ones), so a million accounts cost a Map of
 * short strings and shared pointers, not a million answer objects.
 */
export class DirectorySnapshot {
  private readonly accounts = new Map<string, PresentAnswer>();
  private readonly interned = new Map<string, PresentAnswer>();

  /** Adds one account. Two accounts whose names differ only in case: an active one wins. */
  add(entry: DirectoryEntry): void {
    const key = entry.userName.toLowerCase();
    const existing = this.accounts.get(key);
    if (existing === undefined || existing.status !== 'active')
      this.accounts.set(key, this.intern(entry.answer));
  }

  get size(): number {
    return this.accounts.size;
  }

  /** The answer for a Jira username; one the directory does not list is absent. */
  answerFor(username: string): DirectoryAnswer {
    return this.accounts.get(username.toLowerCase()) ?? ABSENT;
  }

  static async from(entries: AsyncIterable<DirectoryEntry>): Promise<DirectorySnapshot> {
    const snapshot = new DirectorySnapshot();
    for await (const entry of entries) snapshot.add(entry);
    return snapshot;
  }

  private intern(answer: PresentAnswer): PresentAnswer {
    const key = `${answer.status}\u0000${answer.attribute}`;
    let shared = this.interned.get(key);
    if (shared === undefined) {
      shared = Object.freeze({ ...answer });
      this.interned.set(key, shared);
    }
    return shared;
  }
}
