import type { DirectoryAnswer } from './directory-answer.js';
import type { DirectoryProvider } from './directory-provider.js';

/** What `reclaim directories check` found about one source. */
export interface SourceCheck {
  source: string;
  type: string;
  ok: boolean;
  /** Accounts the listing returned, by status; undefined for a source that cannot be listed. */
  listed?: { total: number; active: number; disabled: number; unknown: number };
  /** The user looked up and the answer; undefined when there was no one to look up. */
  lookedUp?: { user: string; answer: DirectoryAnswer };
  /** Why the source failed (connect, authenticate, list or look up); never a secret. */
  failure?: string;
}

/**
 * Connects to one source as a run would: lists it when it can be listed (counting what came
 * back), then looks up one user — `user`, else the first account listed. The messages are the
 * providers' own, which name the source and the URL but never a token or a password.
 */
export async function checkSource(
  provider: DirectoryProvider,
  type: string,
  user: string | undefined,
): Promise<SourceCheck> {
  const result: SourceCheck = { source: provider.name, type, ok: false };
  let first: string | undefined;
  try {
    if (provider.loadAll) {
      const listed = { total: 0, active: 0, disabled: 0, unknown: 0 };
      for await (const entry of provider.loadAll()) {
        first ??= entry.userName;
        listed.total++;
        listed[entry.answer.status]++;
      }
      result.listed = listed;
    }
    const target = user ?? first;
    if (target !== undefined) {
      const answer = (await provider.lookup([target])).get(target);
      if (answer === undefined) throw new Error(`the look-up of ${target} gave no answer`);
      result.lookedUp = { user: target, answer };
    }
    result.ok = true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    result.failure = message.startsWith(`${provider.name}: `)
      ? message.slice(provider.name.length + 2)
      : message;
  }
  return result;
}

/** One line for the terminal. */
export function describeSourceCheck(check: SourceCheck): string {
  const head = `${check.ok ? 'ok  ' : 'FAIL'} ${check.source} (${check.type}):`;
  if (!check.ok) return `${head} ${check.failure}`;
  const parts: string[] = [];
  if (check.listed) {
    const { total, active, disabled, unknown } = check.listed;
    const unread = unknown > 0 ? `, ${unknown} with a status in neither list` : '';
    parts.push(`${total} account(s) listed (${active} active, ${disabled} disabled${unread})`);
  } else {
    parts.push('cannot be listed (look-up only)');
  }
  if (check.lookedUp) {
    const { user, answer } = check.lookedUp;
    parts.push(`${user}: ${answer.status}${answer.status === 'absent' ? '' : ` (${answer.attribute})`}`);
  } else {
    parts.push('no user looked up (give --user NAME)');
  }
  return `${head} ${parts.join('; ')}`;
}
