import type { DirectoryFact } from '../policy/types.js';
import type { DirectoryAnswer } from './directory-answer.js';

/*
 * The directory circuit breaker. A directory that failed, or that does not know an
 * implausible share of the Jira users it was asked about (a wrong base URL, a filtered
 * listing, a half-finished migration), is not believed for the whole run: every user's
 * directory fact becomes `unknown`, so nobody is offboarded on its word.
 */

/** Whether one source is believed this run, and why. Plain JSON: it is stored on the run. */
export interface DirectoryAssessment {
  source: string;
  trusted: boolean;
  /** One line for the run record; when not trusted, it says why and is every user's reason. */
  summary: string;
  /** Jira users the directory was asked about. */
  asked: number;
  absent: number;
  disabled: number;
  /** `absent` as a percentage of `asked`; 0 when nobody was asked. */
  absentPercent: number;
  maxAbsentPercent: number;
}

export interface AnswerCounts {
  asked: number;
  absent: number;
  disabled: number;
}

function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : (part * 100) / whole;
}

/** The verdict of the breaker for a directory that answered. */
export function assessAnswers(
  source: string,
  counts: AnswerCounts,
  maxAbsentPercent: number,
): DirectoryAssessment {
  const absentPercent = percentOf(counts.absent, counts.asked);
  const share = `${absentPercent.toFixed(1)}% of ${counts.asked} Jira users absent`;
  // "More than" maxAbsentPercent trips the breaker: exactly at the limit is still believed.
  const trusted = absentPercent <= maxAbsentPercent;
  const summary = trusted
    ? `${source}: ${share}, within maxAbsentPercent ${maxAbsentPercent}`
    : `${source}: ${share}, above maxAbsentPercent ${maxAbsentPercent}`;
  return { source, trusted, summary, ...counts, absentPercent, maxAbsentPercent };
}

/** The verdict of the breaker for a directory that could not answer. */
export function assessFailure(
  source: string,
  reason: string,
  counts: AnswerCounts,
  maxAbsentPercent: number,
): DirectoryAssessment {
  return {
    source,
    trusted: false,
    summary: reason,
    ...counts,
    absentPercent: percentOf(counts.absent, counts.asked),
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
  if (answer.status === 'absent') return { status: 'absent', source };
  return { status: answer.status, source, attribute: answer.attribute };
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
  if (fact.status === 'not-configured' || fact.status === 'unknown') return fact;
  const doubted =
    fact.status === 'active'
      ? assessments.find((a) => a.source === fact.source && !a.trusted)
      : assessments.find((a) => !a.trusted);
  return doubted ? { status: 'unknown', source: doubted.source, reason: doubted.summary } : fact;
}
