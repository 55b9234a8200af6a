import type { DirectoryFact } from '../policy/types.js';
import type { DirectoryStatus } from '../runs/types.js';

/** The external directories as one run sees them: loaded once, judged once the scan is done. */
export interface RunDirectoryView {
  /** The answer for a Jira user; `absent` / `disabled` count only if the verdict trusts them. */
  answer(username: string): DirectoryFact;
  /** Judges the directories over the run's Jira users (the circuit breaker). */
  conclude(jiraUsers: number): DirectoryVerdict;
}

export interface DirectoryVerdict {
  statuses: DirectoryStatus[];
  /** Sentences for the run record (why a directory was not believed). */
  notes: string[];
  /** Whether this answer's directory is believed this run. */
  trusted(fact: DirectoryFact): boolean;
  /** The answer to use instead when it is not: `unknown`, with the reason. */
  untrusted(fact: DirectoryFact): DirectoryFact;
}

/** No external directory configured: nobody is a leaver by directory. */
export const NO_DIRECTORIES: RunDirectoryView = {
  answer: () => ({ status: 'not-configured' }),
  conclude: () => ({
    statuses: [],
    notes: [],
    trusted: () => true,
    untrusted: (fact) => fact,
  }),
};
