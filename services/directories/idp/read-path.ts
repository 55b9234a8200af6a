/**
 * The string at a dotted path of a JSON object (`profile.login`, `customSchemas.HR.jiraUser`);
 * undefined when missing or not a string or number. The key a directory account is matched by.
 */
export function stringAt(value: unknown, path: string): string | undefined {
  let node = value;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node === 'number') return String(node);
  return typeof node === 'string' && node.trim() !== '' ? node : undefined;
}

/** Case-insensitive comparison of matching keys, as the snapshot keys them. */
export function sameKey(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}
