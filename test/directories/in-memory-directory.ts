import {
  ABSENT,
  type DirectoryAnswer,
  type DirectoryEntry,
} from '../../services/directories/directory-answer.js';
import type { DirectoryProvider } from '../../services/directories/directory-provider.js';
import type { DirectoryUnavailableError } from '../../services/directories/directory-unavailable-error.js';

/**
 * A directory held in memory, behind the provider interface: for the breaker's arithmetic.
 * The SCIM provider itself is tested over HTTP against the simulator.
 */
export class InMemoryDirectory implements DirectoryProvider {
  readonly matchBy = 'username';
  lookups = 0;
  failure: DirectoryUnavailableError | undefined;

  constructor(
    readonly name: string,
    private readonly accounts: Record<string, boolean>,
  ) {}

  async lookup(usernames: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    this.lookups++;
    if (this.failure) throw this.failure;
    return new Map(usernames.map((name) => [name, this.answerFor(name)]));
  }

  async *loadAll(): AsyncIterable<DirectoryEntry> {
    if (this.failure) throw this.failure;
    for (const [userName, active] of Object.entries(this.accounts)) {
      yield {
        userName,
        answer: active
          ? { status: 'active', attribute: 'active=true' }
          : { status: 'disabled', attribute: 'active=false' },
      };
    }
  }

  private answerFor(name: string): DirectoryAnswer {
    const entry = Object.entries(this.accounts).find(
      ([userName]) => userName.toLowerCase() === name.toLowerCase(),
    );
    if (!entry) return ABSENT;
    return entry[1]
      ? { status: 'active', attribute: 'active=true' }
      : { status: 'disabled', attribute: 'active=false' };
  }
}

/** `count` usernames user0001…, as a Jira listing would stream them. */
export function* jiraUsernames(count: number, prefix = 'user'): Generator<string> {
  for (let i = 1; i <= count; i++) yield `${prefix}${String(i).padStart(4, '0')}`;
}

/** A directory that knows the first `known` of `jiraUsernames(total)`. */
export function directoryKnowing(name: string, known: number): InMemoryDirectory {
  return new InMemoryDirectory(name, Object.fromEntries([...jiraUsernames(known)].map((u) => [u, true])));
}

/** The same directory as one that cannot be listed: answers by lookups only. */
export function lookupOnly(directory: InMemoryDirectory): DirectoryProvider {
  return {
    name: directory.name,
    matchBy: 'username',
    lookup: (usernames) => directory.lookup(usernames),
  };
}
