/*
 * LDAP search filters as strings (RFC 4515). A value taken from Jira (a username, an e-mail)
 * is escaped before it goes into a filter: a name like `jo*` or `a)(uid=*` must find that one
 * account, never widen the search.
 */

const ESCAPED: Record<string, string> = {
  '*': '\\2a',
  '(': '\\28',
  ')': '\\29',
  '\\': '\\5c',
  '\u0000': '\\00',
};

/**
 * A value as an RFC 4515 assertion value: `*`, `(`, `)`, `\` and NUL written as `\2a`,
 * `\28`, `\29`, `\5c`, `\00`. Other characters (UTF-8 included) stand for themselves.
 */
export function escapeFilterValue(value: string): string {
  return Array.from(value, (c) => ESCAPED[c] ?? c).join('');
}

/** `(attribute=value)`, the value escaped. */
export function equalityFilter(attribute: string, value: string): string {
  return `(${attribute}=${escapeFilterValue(value)})`;
}

/** Both filters must hold: `(&A B)`. */
export function andFilter(a: string, b: string): string {
  return `(&${a}${b})`;
}
