import type { DirectoryFact } from '../policy/types.js';
import { combineDirectoryFacts } from './combine-directory-facts.js';
import type { DirectoryAnswer } from './directory-answer.js';
import { directoryFact, type DirectoryAssessment } from './directory-assessment.js';
import { DirectoryCheck, type DirectorySubject } from './directory-check.js';
import type { DirectoryProvider } from './directory-provider.js';
import { matchKeyOf, type MatchSubject } from './match-key.js';
import { SourceScope } from './source-scope.js';
import type { DirectoryCombine, DirectoryScopeConfig } from '../../config/schema.js';

/** An assessment that believes the source: for a fact settled later. */
const PROVISIONAL = (source: string): DirectoryAssessment => ({
  source,
  trusted: true,
  summary: `${source}: not assessed yet`,
  asked: 0,
  absent: 0,
  disabled: 0,
  absentPercent: 0,
  disabledPercent: 0,
  maxAbsentPercent: 100,
});

/** Users confirmed at once per source (one look-up call; the provider spreads it). */
const CONFIRM_BATCH = 100;

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

  /**
   * Loads every source that can be listed, in parallel. Never throws for a directory failure.
   * `scopes[i]` is the scope of `providers[i]` (default: every active user).
   */
  static async open(
    providers: readonly DirectoryProvider[],
    scopes: readonly (Partial<DirectoryScopeConfig> | undefined)[] = [],
  ): Promise<RunDirectories> {
    return new RunDirectories(
      await Promise.all(providers.map((p, i) => DirectoryCheck.open(p, new SourceScope(scopes[i])))),
    );
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
  provisionalFact(username: string, combine: DirectoryCombine = 'all'): DirectoryFact {
    return combineDirectoryFacts(
      this.checks.map((check): DirectoryFact => {
        const answer = check.answerNow(username);
        if (answer !== undefined) return directoryFact(answer, PROVISIONAL(check.source));
        const reason =
          check.failed ?? `${check.source}: cannot be listed in bulk, so it is asked page by page`;
        return { status: 'unknown', source: check.source, reason };
      }),
      combine,
    );
  }

  /**
   * One Jira user's fact from each source (in the order of {@link sources}), at once and
   * counted, as if every source is believed: for a scan that answers user by user from the
   * directories loaded in bulk. Absent answers are confirmed with {@link confirm}, and the
   * facts made final with `settleSourceFacts` once the run is assessed.
   */
  factsFor(subject: DirectorySubject): DirectoryFact[] {
    return this.checks.map((check) => check.factFor(subject));
  }

  /**
   * Confirms, by one look-up per user and source, every `absent` among these users' facts
   * (as {@link factsFor} gave them); returns the facts with the look-ups' answers. Once per user.
   */
  async confirm(users: readonly (MatchSubject & { facts: DirectoryFact[] })[]): Promise<DirectoryFact[][]> {
    const confirmed = users.map((user) => [...user.facts]);
    for (const [i, check] of this.checks.entries()) {
      // Each source is asked by its own key: the username, or the e-mail for `match: email`.
      const keyOf = (u: number) => matchKeyOf(check.matchBy, users[u]!);
      const absent = users.flatMap((user, u) =>
        user.facts[i]?.status === 'absent' && keyOf(u) !== undefined ? [u] : [],
      );
      for (let start = 0; start < absent.length; start += CONFIRM_BATCH) {
        const batch = absent.slice(start, start + CONFIRM_BATCH);
        const keys = [...new Set(batch.map((u) => keyOf(u)!))];
        const answers = await check.confirmAbsent(keys);
        for (const u of batch) confirmed[u]![i] = answers.get(keyOf(u)!) ?? confirmed[u]![i]!;
      }
    }
    return confirmed;
  }

  /** The breaker's verdict per source, over every Jira user answered (or `jiraUsers`, when given). */
  assess(maxAbsentPercent: number, jiraUsers?: number): DirectoryAssessment[] {
    return this.checks.map((check) => check.assess(maxAbsentPercent, jiraUsers));
  }

  /** The policy's directory fact for one user, from their answers and the run's assessments. */
  static factFor(
    answers: SourceAnswers,
    assessments: readonly DirectoryAssessment[],
    combine: DirectoryCombine = 'all',
  ): DirectoryFact {
    return combineDirectoryFacts(
      assessments.map((a) => directoryFact(answers[a.source], a)),
      combine,
    );
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
