import type { ReclaimConfig } from '../../config/schema.js';
import type { Logger } from '../../runtime/logger.js';
import { createDirectoryProviders } from '../directories/create-directory-providers.js';
import { settleDirectoryFact } from '../directories/directory-assessment.js';
import { RunDirectories } from '../directories/run-directories.js';
import type { Run } from '../runs/types.js';
import { NO_DIRECTORIES, type RunDirectoryView } from './run-directory-view.js';

/**
 * The configured external directories for one run: each loaded in bulk once, answered user by
 * user as the scan lists Jira, and judged by the circuit breaker when the scan is done.
 */
export async function openRunDirectories(
  config: Readonly<ReclaimConfig['directories']>,
  run: Run,
  logger: Logger,
): Promise<RunDirectoryView> {
  if (config.sources.length === 0) return NO_DIRECTORIES;
  const sources = await RunDirectories.open(createDirectoryProviders(config.sources));
  for (const source of sources.sources) {
    if (source.failed)
      logger.warn({ runId: run.id, source: source.source, err: source.failed }, 'directory failed');
  }
  return {
    answer: (username) => sources.provisionalFact(username),
    conclude(jiraUsers) {
      const assessments = sources.assess(config.maxAbsentPercent, jiraUsers);
      return {
        statuses: assessments.map((a) => ({
          source: a.source,
          trusted: a.trusted,
          absentPercent: a.absentPercent,
          ...(a.trusted ? {} : { reason: a.summary }),
        })),
        notes: assessments
          .filter((a) => !a.trusted)
          .map((a) => `directory not believed this run, so nobody is "left-company" by it: ${a.summary}`),
        trusted: (fact) => settleDirectoryFact(fact, assessments) === fact,
        untrusted: (fact) => settleDirectoryFact(fact, assessments),
      };
    },
  };
}
