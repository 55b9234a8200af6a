import type { ReclaimConfig } from '../../config/schema.js';
import type { Logger } from '../../runtime/logger.js';
import { RowCountBaseline } from '../directories/csv/row-count-baseline.js';
import { createDirectoryProviders } from '../directories/create-directory-providers.js';
import { settleSourceFacts, type DirectoryAssessment } from '../directories/directory-assessment.js';
import { RunDirectories } from '../directories/run-directories.js';
import type { DirectoryStatus, Run } from '../runs/types.js';
import { NO_DIRECTORIES, type RunDirectoryView } from './run-directory-view.js';
import type { RedisClient } from '../../queues/connection.js';

/**
 * The configured external directories for one run: each loaded in bulk once, answered user by
 * user as the scan lists Jira, its absent answers confirmed by look-ups, and judged by the
 * circuit breaker when the scan is done.
 */
export async function openRunDirectories(
  config: Readonly<ReclaimConfig['directories']>,
  run: Run,
  logger: Logger,
  /** Where a CSV source's row count is kept from run to run (its shrink guard). */
  state?: { redis: RedisClient; prefix: string },
): Promise<RunDirectoryView> {
  if (config.sources.length === 0) return NO_DIRECTORIES;
  const rowCounts = state && {
    baseline: new RowCountBaseline(state.redis, state.prefix),
    maxShrinkPercent: config.maxAbsentPercent,
    record: true,
  };
  const sources = await RunDirectories.open(
    createDirectoryProviders(config.sources, rowCounts ? { rowCounts } : {}),
    config.sources.map((source) => source.scope),
  );
  for (const source of sources.sources) {
    if (source.failed)
      logger.warn({ runId: run.id, source: source.source, err: source.failed }, 'directory failed');
  }
  return {
    answer: (user) => sources.factsFor(user),
    confirm: (users) => sources.confirm(users),
    conclude() {
      const assessments = sources.assess(config.maxAbsentPercent);
      return {
        statuses: assessments.map(directoryStatus),
        notes: assessments.flatMap(assessmentNotes),
        settle: (facts) => settleSourceFacts(facts, assessments, config.combine),
      };
    },
  };
}

function directoryStatus(a: DirectoryAssessment): DirectoryStatus {
  return {
    source: a.source,
    trusted: a.trusted,
    absentPercent: a.absentPercent,
    ...(a.trusted ? {} : { reason: a.summary }),
    summary: a.summary,
    asked: a.asked,
    absent: a.absent,
    disabled: a.disabled,
    disabledPercent: a.disabledPercent,
    outOfScope: a.outOfScope ?? 0,
    deactivatedInJira: a.deactivatedInJira ?? 0,
    protectedByPolicy: a.protectedByPolicy ?? 0,
    foundOnLookup: a.foundOnLookup ?? 0,
    lookupFailed: a.lookupFailed ?? 0,
    noEmailToMatch: a.noEmailToMatch ?? 0,
  };
}

function assessmentNotes(a: DirectoryAssessment): string[] {
  const notes: string[] = [];
  if (!a.trusted)
    notes.push(`directory not believed this run, so nobody is "left-company" by it: ${a.summary}`);
  const notAsked = [
    a.outOfScope ? `${a.outOfScope} outside its scope` : '',
    a.deactivatedInJira ? `${a.deactivatedInJira} already deactivated in Jira` : '',
    a.protectedByPolicy ? `${a.protectedByPolicy} protected by the policy` : '',
    a.noEmailToMatch ? `${a.noEmailToMatch} without an e-mail to match by (unknown)` : '',
  ].filter(Boolean);
  if (notAsked.length > 0)
    notes.push(`${a.source} was judged on ${a.asked} Jira user(s); not counted: ${notAsked.join(', ')}`);
  if (a.foundOnLookup)
    notes.push(
      `${a.source}: ${a.foundOnLookup} user(s) missing from its listing were found by a look-up, so are not absent`,
    );
  if (a.lookupFailed)
    notes.push(
      `${a.source}: the look-up confirming ${a.lookupFailed} absent user(s) failed, so their status is unknown`,
    );
  return notes;
}
