/*
 * Query strings for SCIM 2.0 (RFC 7644 §3.4.2). Built by hand rather than with
 * URLSearchParams, which writes a space as "+": several SCIM servers decode only "%20", and
 * "+" is a legal character of a userName.
 */

/** A quoted SCIM string literal: `"` and `\` escaped as in JSON (RFC 7644 §3.4.2.2). */
export function scimString(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The filter that finds one account by userName (matched case-insensitively by the server). */
export function userNameFilter(userName: string): string {
  return `userName eq ${scimString(userName)}`;
}

/** `a=1&b=2`, every name and value percent-encoded. */
export function queryString(params: Record<string, string | number>): string {
  return Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
}
