import type { DirectoryFact } from '../policy/types.js';

/*
 * What an external directory says about one username. `active` and `disabled` name the
 * attribute that decided (e.g. `active=false`), so the plan can quote it; `absent` means the
 * directory was asked and does not know the name. `unknown` is an account the directory lists
 * with a status it cannot be read by (an HR status in neither `activeValues` nor
 * `disabledValues`): listed, so not absent, and not evidence of a leaver either; `attribute`
 * then says why. Plain JSON, so it can travel in a job.
 */

export type PresentAnswer =
  | { status: 'active'; attribute: string }
  | { status: 'disabled'; attribute: string }
  | { status: 'unknown'; attribute: string };

export type DirectoryAnswer = PresentAnswer | { status: 'absent' };

/** One account of a directory listing. */
export interface DirectoryEntry {
  /**
   * The account's value of the attribute the source matches by (its username, e-mail or
   * `matchAttribute`), compared case-insensitively with the Jira user's value.
   */
  userName: string;
  answer: PresentAnswer;
}

export const ABSENT: DirectoryAnswer = Object.freeze({ status: 'absent' });

/** The policy's fact for one source's answer, taken as believed (the breaker settles it later). */
export function answerFact(answer: DirectoryAnswer, source: string): DirectoryFact {
  if (answer.status === 'absent') return { status: 'absent', source };
  if (answer.status === 'unknown')
    return { status: 'unknown', source, reason: `${source}: ${answer.attribute}` };
  return { status: answer.status, source, attribute: answer.attribute };
}
