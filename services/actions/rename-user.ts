import type { JiraDirectory } from '../jira/jira-directory.js';
import { userNamed } from './read-user.js';
import { sameName } from './snapshot.js';
import type { UserEditor } from './user-editor.js';

/**
 * How many names a rename tries: the planned target, then `{target}_2` … `{target}_N`. Bounded
 * so that a pattern that collides with everything ends as `not-possible`, not as a scan of Jira.
 * @defaultValue 20
 */
export const MAX_RENAME_CANDIDATES = 20;

/** The planned target first, then its collision-safe variants. */
export function renameCandidates(target: string, max = MAX_RENAME_CANDIDATES): string[] {
  return [target, ...Array.from({ length: max - 1 }, (_, i) => `${target}_${i + 2}`)];
}

/**
 * Renames the user to `target`, or to the first free variant when another user holds it.
 * A user already carrying the target or one of its variants (an earlier attempt renamed it and
 * the job was retried) is left alone.
 */
export async function renameToFreeName(
  jira: JiraDirectory,
  editor: UserEditor,
  target: string,
): Promise<void> {
  const candidates = renameCandidates(target);
  if (candidates.some((candidate) => sameName(candidate, editor.current.name))) return;
  const taken: string[] = [];
  for (const candidate of candidates) {
    const holder = await userNamed(jira, candidate);
    if (holder !== null && holder.key !== editor.current.key) {
      taken.push(candidate);
      continue;
    }
    // Jira may still say "taken" when another user got the name since we looked.
    const renamed = await editor.renameTo(candidate);
    if (!renamed) {
      taken.push(candidate);
      continue;
    }
    if (taken.length > 0 && editor.changes.length > 0) {
      editor.notes.push(`${taken.join(', ')} already taken by another user: renamed to ${candidate}`);
    }
    return;
  }
  editor.refuse(`rename target ${target} and its variants up to _${MAX_RENAME_CANDIDATES} are all taken`);
}
