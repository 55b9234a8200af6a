import type { ListingPort, SearchCounters } from './listing-port.js';
import type { UserBean } from './wire.js';

/*
 * Every user of a Jira whose `/user/search` stops at the first N results (Jira 10: N = 100,
 * `startAt` cannot get past it), found by partitioning the username space into prefixes.
 *
 * A prefix query also matches display-name words and e-mail addresses, so only results whose
 * username starts with the prefix are kept, and the raw result count decides whether a prefix
 * is complete: below the cap, every username with that prefix was returned; at the cap, the
 * prefix is split into prefix + c for every character c of the alphabet.
 *
 * Two refinements keep the number of queries down:
 * - When a capped answer is sorted by username (Jira sorts it so), every username that sorts
 *   before its last result was returned, so prefix + c is skipped for each c before the last
 *   result's next character. This assumes Jira cuts the answer after sorting it; an answer that
 *   is not sorted by username gets the full split.
 * - Jira trims the query, so a prefix ending in a space cannot be asked; it is split unasked,
 *   from the character after the space in the last result when that result went that far.
 *
 * What this costs, and why it is no less: a capped answer whose results all sort before the
 * prefix (filled by display-name words or e-mail addresses, as "smi" is by every "*.smith") says
 * nothing of the usernames with the prefix, and a user named "smi" + c + ... whose display name
 * and e-mail match nothing else asked is returned only by a query starting with "smi" + c. So
 * such a prefix needs one query per character of the alphabet, and the same again for
 * "smi " + c (the trimmed "smi " cannot be asked), plus the lookup of the user named "smi":
 * 42 + 42 + 1 with this alphabet. A listing with fewer queries there would leave out some
 * spelling of a username, as an alphabet without the space, `+` and `'` does.
 *
 * The alphabet is the usual username characters plus every character seen in any username
 * returned so far; a newly seen character is also tried after every prefix already split.
 *
 * Residual risk: a user whose username continues, after a prefix that hit the cap, with a
 * character outside the base alphabet that no returned username has shown (for example a
 * "山田" among many users under one prefix, with no other answer ever returning a name with
 * those characters), or with two consecutive spaces, stays unfound. `prefixesCappedAtMaxDepth`
 * counts the other way users can be missed: a prefix still at the cap at the deepest length.
 *
 * Memory: a depth-first stack of prefixes plus the prefixes already split (about one per
 * `cap` users), not the users themselves, and at most `concurrency` answers in flight.
 *
 * Concurrency: a few prefixes are asked at once (wall time down, the same queries). Each answer
 * is taken in whole before the next is looked at, so the alphabet and the split prefixes stay
 * consistent whatever order the answers come in: a character first seen in one answer is tried
 * after every prefix split so far, and a prefix split later uses the alphabet as it is then.
 * Every attempt still passes the client's request ceiling.
 */

/** Characters Jira usernames are commonly made of. */
export const BASE_ALPHABET: readonly string[] = [
  ...'abcdefghijklmnopqrstuvwxyz0123456789',
  '.',
  '_',
  '-',
  '@',
  '+',
  "'",
  ' ',
];

/** `username=.` matches everyone: one query suffices on an instance below the cap. */
const EVERYONE = '.';

export interface PartitionedSearchOptions {
  /** Results reachable per query (Jira 10: 100). */
  cap: number;
  /** Prefixes longer than this are not split further. @defaultValue 64 */
  maxPrefixLength?: number;
  /**
   * Use the order of a capped answer when it is sorted by username (as Jira sorts it): the
   * usernames that sort before its last result were all returned, so the prefixes they cover
   * need no query. An answer that is not sorted by username gets the full split.
   * @defaultValue true
   */
  useUsernameOrder?: boolean;
  /** Prefix queries in flight at once. @defaultValue 4 */
  concurrency?: number;
}

type Answer =
  { id: number; prefix: string; raw: UserBean[] } | { id: number; prefix: string; error: unknown };

/** Yields pages of users whose username starts with each prefix; a user can come twice, so de-duplicate by key. */
export async function* partitionedSearch(
  port: ListingPort,
  options: PartitionedSearchOptions,
  counters: SearchCounters,
): AsyncGenerator<UserBean[]> {
  const maxPrefixLength = options.maxPrefixLength ?? 64;
  const useUsernameOrder = options.useUsernameOrder ?? true;
  const alphabet = new Set(BASE_ALPHABET);
  // Each split prefix with the first character its split needed (see `from` below).
  const splitPrefixes: { prefix: string; from?: string }[] = [];
  // '' stands for the root query, which matches everyone.
  const stack: string[] = [''];
  // A prefix ending in whitespace, split unasked, with the first character its parent's sorted
  // answer left to ask: "ann" capped at "ann lee" has returned every "ann a…" to "ann k…".
  const spaceFrom = new Map<string, string>();

  const concurrency = Math.max(1, options.concurrency ?? 4);
  const inFlight = new Map<number, Promise<Answer>>();
  let nextId = 0;
  const launch = (): void => {
    while (inFlight.size < concurrency && stack.length > 0) {
      const prefix = stack.pop() as string;
      // Jira trims the query, so "ann " would ask the same as the capped "ann": split it unasked.
      if (isWhitespace(lastCharacter(prefix))) {
        // The capped answer that led here may have reached into "ann …": its order still holds.
        const from = spaceFrom.get(prefix);
        spaceFrom.delete(prefix);
        splitPrefixes.push(from === undefined ? { prefix } : { prefix, from });
        for (const character of alphabet) {
          if (!isWhitespace(character) && (from === undefined || character >= from))
            stack.push(prefix + character);
        }
        continue;
      }
      const id = nextId++;
      inFlight.set(
        id,
        port.search(prefix === '' ? EVERYONE : prefix, 0, options.cap).then(
          (raw): Answer => ({ id, prefix, raw }),
          (error: unknown): Answer => ({ id, prefix, error }),
        ),
      );
    }
  };

  launch();
  while (inFlight.size > 0) {
    const answer = await Promise.race(inFlight.values());
    inFlight.delete(answer.id);
    if ('error' in answer) {
      // The others are left to settle on their own; their answers are not needed any more.
      throw answer.error;
    }
    const { prefix, raw } = answer;
    counters.prefixQueries++;

    for (const character of charactersOf(raw)) {
      if (alphabet.has(character)) continue;
      alphabet.add(character);
      for (const earlier of splitPrefixes) {
        if (earlier.from === undefined || character >= earlier.from)
          pushChild(stack, earlier.prefix, character);
      }
    }

    const page = prefix === '' ? raw : raw.filter((user) => user.name.toLowerCase().startsWith(prefix));
    const pages: UserBean[][] = page.length > 0 ? [page] : [];
    let exactToFind: string | undefined;
    if (raw.length >= options.cap) {
      const last = useUsernameOrder ? lastIfSortedByName(raw) : undefined;
      // Every username with the prefix sorts before the last result, so all of them were returned.
      const complete = last !== undefined && prefix !== '' && last > prefix && !last.startsWith(prefix);
      if (!complete && [...prefix].length >= maxPrefixLength) {
        counters.prefixesCappedAtMaxDepth++;
      } else if (!complete) {
        // The user named exactly `prefix` is reached by no longer prefix, and the cap may have
        // hidden it, unless the answer is in username order and reached past it.
        const exactReturned = page.some((user) => user.name.toLowerCase() === prefix);
        if (prefix !== '' && !exactReturned && !(last !== undefined && last >= prefix)) exactToFind = prefix;
        // In username order, prefix + c for every c before the last result's next character is done.
        const from =
          last !== undefined && last.startsWith(prefix) ? [...last][[...prefix].length] : undefined;
        splitPrefixes.push(from === undefined ? { prefix } : { prefix, from });
        if (from !== undefined && isWhitespace(from) && last !== undefined) {
          const after = [...last][[...prefix].length + 1];
          if (after !== undefined && !isWhitespace(after)) spaceFrom.set(prefix + from, after);
        }
        for (const character of alphabet) {
          if (from === undefined || character >= from) pushChild(stack, prefix, character);
        }
      }
    }
    // The next queries go out before this answer is handed on, so they run while it is used.
    launch();
    if (exactToFind !== undefined) {
      counters.exactLookups = (counters.exactLookups ?? 0) + 1;
      const exact = await port.findByName(exactToFind);
      if (exact && exact.name.toLowerCase() === exactToFind) pages.push([exact]);
    }
    for (const users of pages) yield users;
  }
}

/** A trimmed query cannot start with whitespace, so no prefix does. */
function pushChild(stack: string[], prefix: string, character: string): void {
  if (prefix === '' && isWhitespace(character)) return;
  stack.push(prefix + character);
}

function lastIfSortedByName(users: UserBean[]): string | undefined {
  let previous = '';
  for (const user of users) {
    const name = user.name.toLowerCase();
    if (name < previous) return undefined;
    previous = name;
  }
  return previous;
}

function lastCharacter(text: string): string {
  return [...text].at(-1) ?? '';
}

function isWhitespace(character: string): boolean {
  return /^\s$/u.test(character);
}

function charactersOf(users: UserBean[]): Set<string> {
  const characters = new Set<string>();
  for (const user of users) for (const character of user.name.toLowerCase()) characters.add(character);
  return characters;
}
