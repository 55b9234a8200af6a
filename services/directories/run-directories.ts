import type { DirectoryFact } from '../policy/types.js';
import { combineDirectoryFacts } from './combine-directory-facts.js';
import type { DirectoryAnswer } from './directory-answer.js';
import { directoryFact, type DirectoryAssessment } from './directory-assessment.js';
import { DirectoryCheck } from './directory-check.js';
import type { DirectoryProvider } from './directory-provider.js';

/** An assessment that believes the source: for a fact settled later. */
const PROVISIONAL = (source: string): DirectoryAssessment => ({
  source,
  trusted: true,
  summary: `${source}: not assessed yet`,
  asked: 0,
  absent: 0,
  disabled: 0,
  absentPercent: 0,
  maxAbsentPercent: 100,
});

/** Each source's answer for one user, keyed by source name. Plain JSON, for a job payload. */
export type SourceAnswers = Record<string, DirectoryAnswer>;

/**
 * Every configured directory for one run. The scan opens it once, passes each page of Jira
 * usernames through {@link answerPage}, and calls {@link assess} when the last page is
 * listed; {@link RunDirectories.factFor} then turns a user's answers into the policy's fact.
 * With no sources configured every fact is `not-configured`.
 */
export class RunDirectories {
  private constructor(private readonly checks: DirectoryCheck[]) {}

  /** Loads every source that can be listed, in parallel. Never throws for a directory failure. */
  static async open(providers: readonly DirectoryProvider[]): Promise<RunDirectories> {
    return new RunDirectories(await Promise.all(providers.map((p) => DirectoryCheck.open(p))));
  }

  get sources(): readonly DirectoryCheck[] {
    return this.checks;
  }

  /** Each user's answers from every source, counted for the breaker. Once per Jira user per run. */
  async answerPage(usernames: readonly string[]): Promise<Map<string, SourceAnswers>> {
    return this.collect(
      usernames,
      await Promise.all(this.checks.map((check) => check.answerPage(usernames))),
    );
  }

  /** Each user's answers from every source, not counted: for a user answered again. */
  async answersFor(usernames: readonly string[]): Promise<Map<string, SourceAnswers>> {
    return this.collect(
      usernames,
      await Promise.all(this.checks.map((check) => check.answersFor(usernames))),
    );
  }

  /**
   * One user's fact at once, as if every source is believed, counted for the breaker: for a
   * scan that answers user by user from the directories loaded in bulk. Settle it with
   * {@link settleDirectoryFact} once the run is assessed. A source that failed, or that
   * cannot be listed, makes it `unknown`.
   */
  provisionalFact(username: string): DirectoryFact {
    return combineDirectoryFacts(
      this.checks.map((check): DirectoryFact => {
        const answer = check.answerNow(username);
        if (answer !== undefined) return directoryFact(answer, PROVISIONAL(check.source));
        const reason =
          check.failed ?? `${check.source}: cannot be listed in bulk, so it is asked page by page`;
        return { status: 'unknown', source: check.source, reason };
      }),
    );
  }

  /** The breaker's verdict per source, over every Jira user answered (or `jiraUsers`, when given). */
  assess(maxAbsentPercent: number, jiraUsers?: number): DirectoryAssessment[] {
    return this.checks.map((check) => check.assess(maxAbsentPercent, jiraUsers));
  }

  /** The policy's directory fact for one user, from their answers and the run's assessments. */
  static factFor(answers: SourceAnswers, assessments: readonly DirectoryAssessment[]): DirectoryFact {
    return combineDirectoryFacts(assessments.map((a) => directoryFact(answers[a.source], a)));
  }

  private collect(
    usernames: readonly string[],
    perSource: Map<string, DirectoryAnswer>[],
  ): Map<string, SourceAnswers> {
    return new Map(
      usernames.map((name) => {
        const answers: SourceAnswers = {};
        this.checks.forEach((check, i) => {
          const answer = perSource[i]!.get(name);
          if (answer) answers[check.source] = answer;
        });
        return [name, answers];
      }),
    );
  }
}
