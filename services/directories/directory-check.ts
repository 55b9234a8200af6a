import type { DirectoryAnswer } from './directory-answer.js';
import { assessAnswers, assessFailure, type DirectoryAssessment } from './directory-assessment.js';
import type { DirectoryProvider } from './directory-provider.js';
import { DirectorySnapshot } from './directory-snapshot.js';

/*
 * One source's part in one run: it loads the directory once, answers for the Jira users as
 * the scan lists them, counts the answers, and at the end tells whether the directory is
 * believed. It holds the directory snapshot and three counters — nothing per Jira user — so
 * a run of a million users costs the directory's size, not the run's.
 *
 * A failure never throws out of here: it is remembered, every later answer is "not asked",
 * and the assessment says why the directory is not believed.
 */
export class DirectoryCheck {
  private failure: string | undefined;
  private asked = 0;
  private absent = 0;
  private disabled = 0;

  private constructor(
    private readonly provider: DirectoryProvider,
    private readonly snapshot: DirectorySnapshot | undefined,
  ) {}

  get source(): string {
    return this.provider.name;
  }

  /** The failure that makes this directory unknown for the run, if any. */
  get failed(): string | undefined {
    return this.failure;
  }

  /** Accounts loaded in bulk; undefined when the directory is asked page by page instead. */
  get loaded(): number | undefined {
    return this.snapshot?.size;
  }

  /** Loads the whole directory when the provider can list it (one pass, at the start of a run). */
  static async open(provider: DirectoryProvider): Promise<DirectoryCheck> {
    if (!provider.loadAll) return new DirectoryCheck(provider, undefined);
    try {
      return new DirectoryCheck(provider, await DirectorySnapshot.from(provider.loadAll()));
    } catch (error) {
      const check = new DirectoryCheck(provider, new DirectorySnapshot());
      check.fail(error);
      return check;
    }
  }

  /**
   * The answers for one page of Jira usernames, counted for the breaker. Call it once per
   * Jira user per run. After a failure the map is empty: the user was not asked.
   */
  async answerPage(usernames: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    this.asked += usernames.length;
    const answers = await this.answersFor(usernames);
    for (const answer of answers.values()) {
      if (answer.status === 'absent') this.absent++;
      else if (answer.status === 'disabled') this.disabled++;
    }
    return answers;
  }

  /** The answers for these usernames, not counted (a user answered again after the count). */
  async answersFor(usernames: readonly string[]): Promise<Map<string, DirectoryAnswer>> {
    if (this.failure !== undefined) return new Map();
    if (this.snapshot) return new Map(usernames.map((name) => [name, this.snapshot!.answerFor(name)]));
    try {
      return await this.provider.lookup(usernames);
    } catch (error) {
      this.fail(error);
      return new Map();
    }
  }

  /**
   * The answer for one Jira user, at once and counted, from the directory loaded in bulk.
   * Undefined after a failure, and for a directory that cannot be listed (use
   * {@link answerPage} for those).
   */
  answerNow(username: string): DirectoryAnswer | undefined {
    this.asked++;
    if (this.failure !== undefined || this.snapshot === undefined) return undefined;
    const answer = this.snapshot.answerFor(username);
    if (answer.status === 'absent') this.absent++;
    else if (answer.status === 'disabled') this.disabled++;
    return answer;
  }

  /**
   * The breaker's verdict over every Jira user answered so far. `jiraUsers`, when given, is
   * the run's own count of distinct Jira users (a scan that answered a page twice after a
   * retry counts each user once there).
   */
  assess(maxAbsentPercent: number, jiraUsers?: number): DirectoryAssessment {
    const counts = { asked: jiraUsers ?? this.asked, absent: this.absent, disabled: this.disabled };
    if (this.failure !== undefined) return assessFailure(this.source, this.failure, counts, maxAbsentPercent);
    return assessAnswers(this.source, counts, maxAbsentPercent);
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // A provider's own errors name the source already; anything else is given its name.
    this.failure = message.startsWith(`${this.source}: `) ? message : `${this.source}: ${message}`;
  }
}
