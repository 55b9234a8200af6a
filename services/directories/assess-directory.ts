import type { DirectoryCombine } from '../../config/schema.js';
import type { DirectoryFact } from '../policy/types.js';
import type { DirectoryAssessment } from './directory-assessment.js';
import type { DirectoryProvider } from './directory-provider.js';
import { RunDirectories } from './run-directories.js';

export interface AssessDirectoryOptions {
  providers: readonly DirectoryProvider[];
  /** The Jira users of the run, streamed; only counters are kept, never the names. */
  jiraUsernames: Iterable<string> | AsyncIterable<string>;
  maxAbsentPercent: number;
  /** Usernames answered at once. @defaultValue 1000 */
  batchSize?: number;
  /** How the sources' facts are combined (`directories.combine`). @defaultValue 'all' */
  combine?: DirectoryCombine;
}

export interface AssessedDirectories {
  directories: RunDirectories;
  assessments: DirectoryAssessment[];
  /** True when every source is believed. */
  trusted: boolean;
  /** The facts for a page of users (answered again, not counted again). */
  factsFor(usernames: readonly string[]): Promise<Map<string, DirectoryFact>>;
}

/**
 * The breaker in one call, for a caller that can list the run's Jira users before it
 * evaluates them: loads the sources, answers every username, assesses.
 */
export async function assessDirectory(options: AssessDirectoryOptions): Promise<AssessedDirectories> {
  const directories = await RunDirectories.open(options.providers);
  const batchSize = options.batchSize ?? 1000;
  let batch: string[] = [];
  for await (const username of options.jiraUsernames) {
    batch.push(username);
    if (batch.length >= batchSize) {
      await directories.answerPage(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await directories.answerPage(batch);
  const assessments = directories.assess(options.maxAbsentPercent);
  return {
    directories,
    assessments,
    trusted: assessments.every((a) => a.trusted),
    factsFor: async (usernames) => {
      const answers = await directories.answersFor(usernames);
      return new Map(
        usernames.map((name) => [
          name,
          RunDirectories.factFor(answers.get(name) ?? {}, assessments, options.combine),
        ]),
      );
    },
  };
}
