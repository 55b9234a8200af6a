import type { DirectoryFact } from '../policy/types.js';
import { answerFact, type DirectoryAnswer } from './directory-answer.js';
import {
  assessAnswers,
  assessFailure,
  type DirectoryAssessment,
  type JudgedCounts,
} from './directory-assessment.js';
import type { DirectoryProvider } from './directory-provider.js';
import { DirectorySnapshot } from './directory-snapshot.js';
import { matchKeyOf, noMatchKeyReason, type MatchBy } from './match-key.js';
import { SourceScope, type ScopeSubject } from './source-scope.js';

/** One Jira user as the scan hands it to the directories. */
export interface DirectorySubject extends ScopeSubject {
  name: string;
  /**
   * Set when the user's verdict is decided without the directory (already deactivated in Jira,
   * or protected by the policy): the user is not asked and does not count for the breaker.
   */
  notJudged?: 'deactivated' | 'protected';
}

/*
 * One source's part in one run: it loads the directory once, answers for the Jira users as
 * the scan lists them, counts the answers, and at the end tells whether the directory is
 * believed. It holds the directory snapshot and a few counters — nothing per Jira user — so
 * a run of a million users costs the directory's size, not the run's.
 *
 * The breaker judges a directory on the users it should know: the active Jira users inside
 * the source's scope that the policy does not protect anyway. An account Jira already
 * deactivated, an administrator, a service account outside the scope — none of them says
 * anything about whether the listing is whole.
 *
 * A failure never throws out of here: it is remembered, every later answer is "not asked",
 * and the assessment says why the directory is not believed.
 */
export class DirectoryCheck {
  private failure: string | undefined;
  private asked = 0;
  private absent = 0;
  private disabled = 0;
  private readonly judged: JudgedCounts = {
    outOfScope: 0,
    deactivatedInJira: 0,
    protectedByPolicy: 0,
    foundOnLookup: 0,
    lookupFailed: 0,
    noEmailToMatch: 0,
  };
  /** Why the confirmation look-ups stopped; the rest stay unconfirmed (unknown). */
  private confirmFailure: string | undefined;

  private constructor(
    private readonly provider: DirectoryProvider,
    private readonly snapshot: DirectorySnapshot | undefined,
    private readonly scope: SourceScope,
  ) {}

  get source(): string {
    return this.provider.name;
  }

  /** The Jira-side value the source's accounts are compared with. */
  get matchBy(): MatchBy {
    return this.provider.matchBy;
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
  static async open(provider: DirectoryProvider, scope = new SourceScope()): Promise<DirectoryCheck> {
    if (!provider.loadAll) return new DirectoryCheck(provider, undefined, scope);
    try {
      return new DirectoryCheck(provider, await DirectorySnapshot.from(provider.loadAll()), scope);
    } catch (error) {
      const check = new DirectoryCheck(provider, new DirectorySnapshot(), scope);
      check.fail(error);
      return check;
    }
  }

  /**
   * The answers for one page of Jira users' keys (usernames, or e-mail addresses for a source
   * matched by e-mail), counted for the breaker. Call it once per
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

  /** The answers for these keys, not counted (a user answered again after the count). */
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
   * The answer for one Jira user's key (see {@link matchBy}), at once and counted, from the
   * directory loaded in bulk.
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
   * The scan's fact for one Jira user from this source, at once and counted, as if the source
   * is believed (settled once the run is assessed): `not-applicable` outside the scope,
   * `unknown` for a user the breaker does not judge on or who has no e-mail to match by
   * (neither counts for the breaker), else the bulk listing's answer.
   */
  factFor(subject: DirectorySubject): DirectoryFact {
    const source = this.source;
    if (subject.notJudged === 'deactivated') {
      this.judged.deactivatedInJira++;
      return {
        status: 'unknown',
        source,
        reason: `${source}: not asked, the Jira account is already deactivated`,
      };
    }
    if (subject.notJudged === 'protected') {
      this.judged.protectedByPolicy++;
      return { status: 'unknown', source, reason: `${source}: not asked, the policy protects the user` };
    }
    const outside = this.scope.exclusion(subject);
    if (outside !== undefined) {
      this.judged.outOfScope++;
      return { status: 'not-applicable', source, reason: `${source}: ${outside}` };
    }
    const key = matchKeyOf(this.matchBy, subject);
    if (key === undefined) {
      this.judged.noEmailToMatch++;
      return { status: 'unknown', source, reason: noMatchKeyReason(source) };
    }
    const answer = this.answerNow(key);
    if (answer === undefined) {
      const reason = this.failure ?? `${source}: cannot be listed in bulk, so it is asked page by page`;
      return { status: 'unknown', source, reason };
    }
    return answerFact(answer, source);
  }

  /**
   * Confirms users the bulk listing did not hold, one look-up each: a listing pages through a
   * directory that changes under it (accounts deleted while it runs shift the pages), so a
   * user missing from it may well be there. The look-up's answer replaces the listing's and
   * the counts follow it; a look-up that fails leaves the user `unknown`, never absent.
   * Call it once per user counted absent by {@link factFor}, with the user's key (see
   * {@link matchBy}); the map is keyed by it.
   */
  async confirmAbsent(usernames: readonly string[]): Promise<Map<string, DirectoryFact>> {
    const source = this.source;
    const facts = new Map<string, DirectoryFact>();
    if (usernames.length === 0) return facts;
    let answers: Map<string, DirectoryAnswer> | undefined;
    if (this.confirmFailure === undefined) {
      try {
        answers = await this.provider.lookup(usernames);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.confirmFailure = message.startsWith(`${source}: `) ? message : `${source}: ${message}`;
      }
    }
    for (const name of usernames) {
      const answer = answers?.get(name);
      if (answer === undefined) {
        this.absent--;
        this.judged.lookupFailed++;
        const why = this.confirmFailure ?? `${source}: the look-up gave no answer`;
        facts.set(name, { status: 'unknown', source, reason: `absence not confirmed by a look-up: ${why}` });
      } else if (answer.status === 'absent') {
        facts.set(name, { status: 'absent', source });
      } else {
        this.absent--;
        this.judged.foundOnLookup++;
        if (answer.status === 'disabled') this.disabled++;
        facts.set(name, answerFact(answer, source));
      }
    }
    return facts;
  }

  /**
   * The breaker's verdict over every Jira user answered so far. `jiraUsers`, when given, is
   * the caller's own count of distinct Jira users asked (one that answered a page twice counts
   * each user once there); the scan counts per source itself, since scopes differ.
   */
  assess(maxAbsentPercent: number, jiraUsers?: number): DirectoryAssessment {
    const counts = {
      asked: jiraUsers ?? this.asked,
      absent: this.absent,
      disabled: this.disabled,
      ...this.judged,
    };
    if (this.failure !== undefined) return assessFailure(this.source, this.failure, counts, maxAbsentPercent);
    return assessAnswers(this.source, counts, maxAbsentPercent);
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // A provider's own errors name the source already; anything else is given its name.
    this.failure = message.startsWith(`${this.source}: `) ? message : `${this.source}: ${message}`;
  }
}
