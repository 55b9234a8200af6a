import type { MatchSetting } from '../match-key.js';

/*
 * The SCIM attribute a source matches Jira users by (`match`): `userName`, the e-mail
 * addresses (`emails[].value`), or `matchAttribute`, written in SCIM attribute notation
 * (RFC 7644 §3.10): `externalId`, `name.familyName`, or an extension's fully qualified
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
 */
export interface ScimMatch {
  /** The attribute path, as a filter and the `attributes` parameter name it. */
  path: string;
  /** Every value of the attribute a resource holds (a user may have several e-mails). */
  valuesOf(resource: Record<string, unknown>): string[];
}

export function scimMatch(match: MatchSetting = 'username', matchAttribute?: string): ScimMatch {
  const path =
    match === 'email' ? 'emails.value' : match === 'attribute' ? (matchAttribute ?? '') : 'userName';
  if (path === '') throw new Error('match: attribute needs matchAttribute');
  const { schema, steps } = splitPath(path);
  return {
    path,
    valuesOf(resource) {
      const root = schema === undefined ? resource : resource[schema];
      return steps
        .reduce<unknown[]>((nodes, step) => nodes.flatMap((node) => childValues(node, step)), [root])
        .flatMap((value) => (typeof value === 'string' || typeof value === 'number' ? [String(value)] : []))
        .filter((value) => value !== '');
    },
  };
}

/** `urn:…:User:employeeNumber` → the extension's key and `employeeNumber`; else the dotted steps. */
function splitPath(path: string): { schema?: string; steps: string[] } {
  if (path.toLowerCase().startsWith('urn:')) {
    const colon = path.lastIndexOf(':');
    return { schema: path.slice(0, colon), steps: path.slice(colon + 1).split('.') };
  }
  return { steps: path.split('.') };
}

/** A node's child of that name, matched case-insensitively (SCIM names are); arrays spread. */
function childValues(node: unknown, step: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((item) => childValues(item, step));
  if (typeof node !== 'object' || node === null) return [];
  const wanted = step.toLowerCase();
  const key = Object.keys(node).find((k) => k.toLowerCase() === wanted);
  if (key === undefined) return [];
  const value = (node as Record<string, unknown>)[key];
  return Array.isArray(value) ? value : [value];
}
