/*
 * What an external directory says about one username. `active` and `disabled` name the
 * attribute that decided (e.g. `active=false`), so the plan can quote it; `absent` means the
 * directory was asked and does not know the name. Plain JSON, so it can travel in a job.
 */

export type PresentAnswer =
  { status: 'active'; attribute: string } | { status: 'disabled'; attribute: string };

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
