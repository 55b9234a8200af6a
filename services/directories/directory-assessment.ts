import type { DirectoryCombine } from '../../config/schema.js';
import type { DirectoryFact } from '../policy/types.js';
import { combineDirectoryFacts } from './combine-directory-facts.js';
import { answerFact, type DirectoryAnswer } from './directory-answer.js';

/*
 * The directory circuit breaker. A directory that failed, or that does not know an
 * implausible share of the Jira users it was asked about (a wrong base URL, a filtered
 * listing, a half-finished migration), is not believed for the whole run: every user's
 * directory fact becomes `unknown`, so nobody is offboarded on its word.
 */

/** Whether one source is believed this run, and why. Plain JSON: it is stored on the run. */
export interface DirectoryAssessment extends Partial<JudgedCounts> {
  source: string;
  trusted: boolean;
  /** One line for the run record; when not trusted, it says why and is every user's reason. */
  summary: string;
  /** Jira users the directory was asked about: the active ones in its scope, not protected. */
  asked: number;
  /** Of `asked`, unknown to the directory (after the per-user confirmation, where made). */
  absent: number;
  /** Of `asked`, known to the directory as disabled. */
  disabled: number;
  /** `absent` as a percentage of `asked`; 0 when nobody was asked. */
  absentPercent: number;
  /** `disabled` as a percentage of `asked`; compared with the same limit as `absentPercent`. */
  disabledPercent: number;
  maxAbsentPercent: number;
}

export interface AnswerCounts {
  asked: number;
  absent: number;
  disabled: number;
}

/**
 * The Jira users a source was not judged on, and what the confirmation look-ups changed: the
 * run record shows them so an admin sees why `asked` is what it is.
 */
export interface JudgedCounts {
  /** Outside the source's `scope`: not-applicable, never absent. */
  outOfScope: number;
  /** Already deactivated in Jira: not asked (a deactivated account is no leaver). */
  deactivatedInJira: number;
  /** Out of scope or exempt by the policy (onlyGroups, skip and admin groups, skipUsers, Reclaim's own account). */
  protectedByPolicy: number;
  /** Absent from the bulk listing but found by the per-user look-up: not counted absent. */
  foundOnLookup: number;
  /** Absent from the bulk listing and the look-up failed: unknown, not counted absent. */
  lookupFailed: number;
  /** Matched by e-mail and without one in Jira: unknown, not asked. */
  noEmailToMatch: number;
}

function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : (part * 100) / whole;
}

/**
 * The verdict of the breaker for a directory that answered. The absent share and the disabled
 * share are each compared with `maxAbsentPercent`: a listing that suddenly says 40 % of the
 * staff are disabled is as implausible as one that does not know them.
 */
export function assessAnswers(
  source: string,
  counts: AnswerCounts & Partial<JudgedCounts>,
  maxAbsentPercent: number,
): DirectoryAssessment {
  const absentPercent = percentOf(counts.absent, counts.asked);
  const disabledPercent = percentOf(counts.disabled, counts.asked);
  const users = `${counts.asked} active Jira users in scope`;
  // "More than" maxAbsentPercent trips the breaker: exactly at the limit is still believed.
  const absentTrips = absentPercent > maxAbsentPercent;
  const disabledTrips = disabledPercent > maxAbsentPercent;
  const trusted = !absentTrips && !disabledTrips;
  const absentShare = `${absentPercent.toFixed(1)}%`;
  const disabledShare = `${disabledPercent.toFixed(1)}%`;
  let summary: string;
  if (trusted) {
    summary = `${source}: ${absentShare} of ${users} absent, ${disabledShare} disabled, within maxAbsentPercent ${maxAbsentPercent}`;
  } else if (absentTrips && disabledTrips) {
    summary = `${source}: ${absentShare} of ${users} absent and ${disabledShare} disabled, above maxAbsentPercent ${maxAbsentPercent}`;
  } else if (absentTrips) {
    summary = `${source}: ${absentShare} of ${users} absent, above maxAbsentPercent ${maxAbsentPercent}`;
  } else {
    summary = `${source}: ${disabledShare} of ${users} disabled, above maxAbsentPercent ${maxAbsentPercent}`;
  }
  return { source, trusted, summary, ...counts, absentPercent, disabledPercent, maxAbsentPercent };
}

/** The verdict of the breaker for a directory that could not answer. */
export function assessFailure(
  source: string,
  reason: string,
  counts: AnswerCounts & Partial<JudgedCounts>,
  maxAbsentPercent: number,
): DirectoryAssessment {
  return {
    source,
    trusted: false,
    summary: reason,
    ...counts,
    absentPercent: percentOf(counts.absent, counts.asked),
    disabledPercent: percentOf(counts.disabled, counts.asked),
    maxAbsentPercent,
  };
}

/** What the policy is told about one user by one source, given the breaker's verdict. */
export function directoryFact(
  answer: DirectoryAnswer | undefined,
  assessment: DirectoryAssessment,
): DirectoryFact {
  const source = assessment.source;
  if (!assessment.trusted) return { status: 'unknown', source, reason: assessment.summary };
  if (answer === undefined) {
    return { status: 'unknown', source, reason: `${source}: the user was not asked about in this run` };
  }
  return answerFact(answer, source);
}

/**
 * A fact taken before the run was assessed, made final: a fact from a source that is not
 * believed becomes `unknown` with that source's reason. A leaver's fact (`absent`,
 * `disabled`) stands only when every source is believed, since one that is not might know
 * the user as active. Unchanged facts are returned as they are (the same object).
 */
export function settleDirectoryFact(
  fact: DirectoryFact,
  assessments: readonly DirectoryAssessment[],
): DirectoryFact {
  if (fact.status === 'not-configured' || fact.status === 'unknown' || fact.status === 'not-applicable')
    return fact;
  const doubted =
    fact.status === 'active'
      ? assessments.find((a) => a.source === fact.source && !a.trusted)
      : assessments.find((a) => !a.trusted);
  return doubted ? { status: 'unknown', source: doubted.source, reason: doubted.summary } : fact;
}

/**
 * One user's facts, one per source as the scan took them, made final and combined: an answer
 * of a source that is not believed becomes `unknown` with its reason (and an unknown source
 * keeps anyone from being a leaver); a source the user is outside the scope of does not vote.
 */
export function settleSourceFacts(
  facts: readonly DirectoryFact[],
  assessments: readonly DirectoryAssessment[],
  combine: DirectoryCombine = 'all',
): DirectoryFact {
  return combineDirectoryFacts(
    facts.map((fact): DirectoryFact => {
      if (fact.status !== 'active' && fact.status !== 'absent' && fact.status !== 'disabled') return fact;
      const assessment = assessments.find((a) => a.source === fact.source);
      if (assessment === undefined || assessment.trusted) return fact;
      return { status: 'unknown', source: fact.source, reason: assessment.summary };
    }),
    combine,
  );
}
