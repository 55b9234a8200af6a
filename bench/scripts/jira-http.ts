/*
 * The HTTP an admin's script would write: fetch with the token, JSON back, an error naming the
 * URL on anything but 2xx. No retries and no rate limiting: the bench's dry runs have no limit.
 */

export interface ScriptTarget {
  /** The simulated Jira (and its SCIM directory under /scim/v2). */
  url: string;
  token: string;
  /** Crowd REST's application credentials (`name:password`), for Jira 9's last logins. */
  crowdApplication: string;
}

export async function getJson<T>(target: ScriptTarget, path: string, crowd = false): Promise<T> {
  const authorization = crowd
    ? `Basic ${Buffer.from(target.crowdApplication).toString('base64')}`
    : `Bearer ${target.token}`;
  const response = await fetch(target.url + path, { headers: { authorization, accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Runs `work` over `items`, at most `concurrency` at a time, results in input order. */
export async function inPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
