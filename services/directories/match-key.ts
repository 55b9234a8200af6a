/*
 * Which Jira-side value a directory source is matched by. A source configured with
 * `match: username` or `match: attribute` compares one of its attributes with the Jira
 * username; `match: email` compares its e-mail attribute with the Jira e-mail address. The
 * provider lists and looks up by its own attribute; the run hands it the Jira value.
 */

/** The Jira-side value a source's accounts are compared with. */
export type MatchBy = 'username' | 'email';

/** The `match` of a source's configuration. */
export type MatchSetting = 'username' | 'email' | 'attribute';

/** What a Jira user offers to be matched by. */
export interface MatchSubject {
  name: string;
  emailAddress?: string;
}

export function matchByOf(match: MatchSetting): MatchBy {
  return match === 'email' ? 'email' : 'username';
}

/**
 * The value of this Jira user the source compares its accounts with; undefined when the user
 * has none (no e-mail address under `match: email`), which makes the user `unknown` for the
 * source — never absent.
 */
export function matchKeyOf(matchBy: MatchBy, subject: MatchSubject): string | undefined {
  if (matchBy === 'username') return subject.name;
  const email = subject.emailAddress?.trim();
  return email ? email : undefined;
}

/** The reason of a user who cannot be matched by e-mail. */
export function noMatchKeyReason(source: string): string {
  return `${source}: the Jira user has no e-mail to match by`;
}
