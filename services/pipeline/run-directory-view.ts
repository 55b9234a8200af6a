import type { DirectorySubject } from '../directories/directory-check.js';
import type { DirectoryFact } from '../policy/types.js';
import type { DirectoryStatus } from '../runs/types.js';

/** A user's facts as each source gave them, with the username (or e-mail) to confirm them by. */
export interface SourceFactsOf {
  name: string;
  emailAddress?: string;
  facts: DirectoryFact[];
}

/** The external directories as one run sees them: loaded once, judged once the scan is done. */
export interface RunDirectoryView {
  /**
   * Each source's fact for a Jira user, counted for the breaker. `absent` and `disabled`
   * count only once confirmed and settled by the verdict. Once per Jira user per run.
   */
  answer(user: DirectorySubject): DirectoryFact[];
  /** Confirms each `absent` among these users' facts by a look-up; the facts as confirmed. */
  confirm(users: readonly SourceFactsOf[]): Promise<DirectoryFact[][]>;
  /** Judges the directories over the users they were asked about (the circuit breaker). */
  conclude(): DirectoryVerdict;
}

export interface DirectoryVerdict {
  statuses: DirectoryStatus[];
  /** Sentences for the run record (why a directory was not believed, what the look-ups found). */
  notes: string[];
  /** One user's final fact from the facts of every source: untrusted answers become `unknown`. */
  settle(facts: readonly DirectoryFact[]): DirectoryFact;
}

/** No external directory configured: nobody is a leaver by directory. */
export const NO_DIRECTORIES: RunDirectoryView = {
  answer: () => [],
  confirm: async (users) => users.map((user) => user.facts),
  conclude: () => ({
    statuses: [],
    notes: [],
    settle: () => ({ status: 'not-configured' }),
  }),
};
