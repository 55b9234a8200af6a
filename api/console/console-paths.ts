/** The console's home: the overview. */
export const CONSOLE_HOME = '/';

/** Where the console's own files are served (scripts, styles, uPlot). */
export const ASSETS_PATH = '/assets';

/**
 * A path of one of the console's pages, which the login may send a browser back to: the
 * overview, runs, a user, the audit. A protocol-relative `//host` never is.
 */
export function isConsolePath(path: string): boolean {
  return /^\/((runs|users|audit)([/?][A-Za-z0-9/_.?=&%~+-]*)?)?$/.test(path);
}
