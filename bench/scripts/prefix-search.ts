import { getJson, inPool, type ScriptTarget } from './jira-http.js';
import { userSearch, type ListedUser } from './jira-reads.js';

/*
 * The smart script's listing on Jira 10.0–10.3, whose `/user/search` reaches only its first 100
 * results and which has no `/user/list`: the username space is cut into prefixes, level by
 * level, a few queries in flight.
 *
 * The refinement a careful admin makes after the plain split (every capped prefix split by one
 * more character) runs for hours: Jira sorts the answer by username and cuts it after sorting,
 * so every matching username that sorts before the answer's last one was returned. Hence, for
 * a capped prefix P whose last result is L:
 * - L starts with P: P + c is covered for every c before L's next character; the others are
 *   asked (P + that character again, since the cap may have cut it).
 * - L sorts after every name starting with P: P is covered, nothing more to ask.
 * - L sorts before P (the answer was filled by users whose display name or e-mail matched):
 *   nothing is known, every P + c is asked, and the user named exactly P, whom no longer prefix
 *   reaches, is looked up by name unless the answer held it.
 *
 * Only results whose username starts with the prefix are taken (the search also matches
 * display-name words and e-mail addresses); a user can come from two answers, so keys are
 * de-duplicated. The alphabet is the usual username characters: a username with any other
 * character after a capped prefix would be missed (the bench counts the users listed).
 */

const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz0123456789._-@'];
const CAP = 100;
/** A prefix still at the cap this long means the alphabet does not fit the usernames. */
const MAX_PREFIX_LENGTH = 40;
/** `username=.` matches everyone. */
const EVERYONE = '.';

/** Every user once, in pages, by username prefix. */
export async function* partitionedUsers(
  target: ScriptTarget,
  concurrency: number,
): AsyncGenerator<ListedUser[]> {
  const seen = new Set<string>();
  const fresh = (users: ListedUser[]) => {
    const unseen = users.filter((user) => !seen.has(user.key));
    for (const user of unseen) seen.add(user.key);
    return unseen;
  };
  // '' is the root query, `username=.`.
  let prefixes = [''];
  while (prefixes.length > 0) {
    const answers = await inPool(prefixes, concurrency, (prefix) =>
      userSearch(target, prefix === '' ? EVERYONE : prefix, 0, CAP),
    );
    const next: string[] = [];
    const exactToFind: string[] = [];
    for (const [i, answer] of answers.entries()) {
      const prefix = prefixes[i]!;
      const own = answer.filter((user) => user.name.toLowerCase().startsWith(prefix));
      const page = fresh(own);
      if (page.length > 0) yield page;
      if (answer.length < CAP) continue;
      const split = splitOf(prefix, answer);
      if (split.children.length > 0 && prefix.length >= MAX_PREFIX_LENGTH)
        throw new Error(`/user/search: "${prefix}" still reaches the cap of ${CAP}`);
      next.push(...split.children);
      if (split.exactMayBeHidden && !own.some((user) => user.name.toLowerCase() === prefix))
        exactToFind.push(prefix);
    }
    const exact = await inPool(exactToFind, concurrency, (name) => userNamed(target, name));
    const found = fresh(exact.filter((user): user is ListedUser => user !== undefined));
    if (found.length > 0) yield found;
    prefixes = next;
  }
}

/** The prefixes a capped answer leaves to ask, and whether it can have hidden the user named `prefix`. */
function splitOf(prefix: string, answer: ListedUser[]): { children: string[]; exactMayBeHidden: boolean } {
  const all = { children: ALPHABET.map((c) => prefix + c), exactMayBeHidden: prefix !== '' };
  const last = lastIfSorted(answer);
  if (last === undefined) return all;
  if (last.startsWith(prefix)) {
    // Every P + c before L's next character sorts before L; `prefix` itself too.
    const from = last.charAt(prefix.length);
    if (from === '') return { ...all, exactMayBeHidden: false };
    return { children: ALPHABET.filter((c) => c >= from).map((c) => prefix + c), exactMayBeHidden: false };
  }
  if (last > prefix) return { children: [], exactMayBeHidden: false };
  return all;
}

/** The last username when the answer is in username order (as Jira sorts it); otherwise undefined. */
function lastIfSorted(users: ListedUser[]): string | undefined {
  let previous = '';
  for (const user of users) {
    const name = user.name.toLowerCase();
    if (name < previous) return undefined;
    previous = name;
  }
  return previous;
}

async function userNamed(target: ScriptTarget, name: string): Promise<ListedUser | undefined> {
  try {
    const user = await getJson<ListedUser>(target, `/rest/api/2/user?username=${encodeURIComponent(name)}`);
    return user.name.toLowerCase() === name ? user : undefined;
  } catch (error) {
    if (String(error).includes('HTTP 404')) return undefined;
    throw error;
  }
}
