/**
 * How a source's accounts are matched with Jira users (`match`, `matchAttribute`): which
 * attribute of a directory account is the key. `username` and `email` name the provider's
 * own attribute for them; `matchAttribute`, when given, names another (and `attribute`
 * requires it). Keys are compared case-insensitively.
 */
export interface MatchSetting {
  match: 'username' | 'email' | 'attribute';
  matchAttribute?: string;
}

/** The directory attribute the key is read from, given the provider's defaults. */
export function matchAttributeOf(
  setting: MatchSetting,
  defaults: { username: string; email: string },
): string {
  if (setting.matchAttribute !== undefined) return setting.matchAttribute;
  if (setting.match === 'email') return defaults.email;
  // `attribute` without matchAttribute is refused by the configuration schema.
  return defaults.username;
}
