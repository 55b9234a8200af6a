import assert from 'node:assert/strict';
import type { ListingPort, SearchCounters } from '../../services/jira/listing-port.js';
import { pagedSearch, uniqueByKey } from '../../services/jira/listing.js';
import { partitionedSearch } from '../../services/jira/partitioned-search.js';
import type { UserBean } from '../../services/jira/wire.js';

/**
 * Jira 10's `/user/search` in memory: case-insensitive starts-with on the username, any word of
 * the display name or the e-mail address; sorted by username; only the first `cap` reachable.
 */
function cappedSearchPort(
  users: UserBean[],
  cap: number | null,
  order: 'by-username' | 'shuffled' = 'by-username',
): ListingPort & { queries: number } {
  const indexed = users
    .map((bean) => ({
      bean,
      name: bean.name.toLowerCase(),
      words: (bean.displayName ?? '').toLowerCase().split(/\s+/),
      email: (bean.emailAddress ?? '').toLowerCase(),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  if (order === 'shuffled') indexed.reverse();
  const port = {
    queries: 0,
    async listPage(): Promise<never> {
      throw new Error('no /user/list here');
    },
    async search(query: string, startAt: number, maxResults: number) {
      port.queries++;
      const q = query.trim().toLowerCase();
      const matches: UserBean[] = [];
      const reachable = cap ?? Number.POSITIVE_INFINITY;
      for (const u of indexed) {
        if (matches.length >= reachable) break;
        if (
          q === '.' ||
          u.name.startsWith(q) ||
          u.email.startsWith(q) ||
          u.words.some((w) => w.startsWith(q))
        ) {
          matches.push(u.bean);
        }
      }
      return matches.slice(startAt, startAt + Math.min(maxResults, cap ?? maxResults));
    },
    async findByName(name: string) {
      return indexed.find((u) => u.name === name.toLowerCase())?.bean;
    },
  };
  return port;
}

function user(index: number, name: string, displayName: string, email = `${name}@example.com`): UserBean {
  return { key: `JIRAUSER${10000 + index}`, name, displayName, emailAddress: email, active: index % 7 !== 0 };
}

/** Deterministic names that share prefixes heavily, as real directories do. */
function population(count: number): UserBean[] {
  const firsts = ['anna', 'anne', 'john', 'jon', 'maria', 'mario', 'li', 'lee', 'sam', 'samir'];
  const lasts = ['smith', 'smyth', 'jones', 'nguyen', 'muller', 'garcia', 'kim', 'khan'];
  const users: UserBean[] = [];
  for (let i = 0; i < count; i++) {
    const first = firsts[i % firsts.length] as string;
    const last = lasts[Math.floor(i / firsts.length) % lasts.length] as string;
    users.push(user(i, `${first}.${last}${i}`, `${first} ${last}`, `${last}.${first}${i}@corp.example`));
  }
  return users;
}

async function collect(pages: AsyncIterable<UserBean[]>): Promise<UserBean[]> {
  const all: UserBean[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

function counters(): SearchCounters & { duplicatesSkipped: number } {
  return { prefixQueries: 0, prefixesCappedAtMaxDepth: 0, duplicatesSkipped: 0 };
}

describe('partitioned user search (Jira 10, 100 results reachable)', () => {
  it('finds each of 5,000 users exactly once although every query stops at 100', async () => {
    const users = population(5_000);
    const port = cappedSearchPort(users, 100);
    const stats = counters();
    const found = await collect(
      uniqueByKey(partitionedSearch(port, { cap: 100 }, stats), () => stats.duplicatesSkipped++),
    );
    assert.equal(found.length, 5_000);
    assert.equal(new Set(found.map((u) => u.key)).size, 5_000);
    assert.deepEqual(new Set(found.map((u) => u.key)), new Set(users.map((u) => u.key)));
    assert.equal(stats.prefixesCappedAtMaxDepth, 0);
    assert.equal(stats.prefixQueries, port.queries);
  });

  it('finds names with characters outside the base alphabet once another answer has shown them', async () => {
    // 150 users "zoë…" share a prefix with 150 "zoe…", so "zo" hits the cap and its split
    // needs "ë", which no base character covers; "chloë", found under "c", teaches it.
    const users = [
      user(4000, 'chloë', 'Chloe Q'),
      ...Array.from({ length: 150 }, (_, i) => user(i, `zoe${i}`, `Zoe Person`)),
      ...Array.from({ length: 150 }, (_, i) => user(1000 + i, `zoë${i}`, `Zoë Person`)),
      user(5001, 'zo', 'Exactly The Prefix'),
    ];
    const port = cappedSearchPort(users, 100);
    const stats = counters();
    const found = await collect(
      uniqueByKey(partitionedSearch(port, { cap: 100 }, stats), () => stats.duplicatesSkipped++),
    );
    assert.deepEqual(new Set(found.map((u) => u.key)), new Set(users.map((u) => u.key)));
    assert.equal(found.length, users.length);
  });

  it('still finds everyone when answers are not in username order (full split), spaces in names too', async () => {
    const users = [
      ...population(1_200),
      user(9000, 'ann smith', 'Ann Smith'),
      user(9001, 'ann lee', 'Ann Lee'),
      user(9002, 'anna', 'Anna Exact'),
    ];
    const port = cappedSearchPort(users, 100, 'shuffled');
    const stats = counters();
    const found = await collect(
      uniqueByKey(partitionedSearch(port, { cap: 100 }, stats), () => stats.duplicatesSkipped++),
    );
    assert.deepEqual(new Set(found.map((u) => u.key)), new Set(users.map((u) => u.key)));
    assert.equal(found.length, users.length);
  });

  it('asks 4 prefixes at once by default, never more, with the same queries as one at a time', async () => {
    const users = population(1_500);
    const answers: { port: ReturnType<typeof cappedSearchPort>; most: number; keys: Set<string> }[] = [];
    for (const concurrency of [1, undefined]) {
      const port = cappedSearchPort(users, 100);
      const search = port.search.bind(port);
      let inFlight = 0;
      let most = 0;
      // Answers that arrive out of order (later queries answered first) exercise the merge.
      port.search = async (query, startAt, maxResults) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, (query.length * 7) % 5));
        inFlight--;
        return search(query, startAt, maxResults);
      };
      const stats = counters();
      const found = await collect(
        uniqueByKey(
          partitionedSearch(port, { cap: 100, ...(concurrency ? { concurrency } : {}) }, stats),
          () => {
            stats.duplicatesSkipped++;
          },
        ),
      );
      answers.push({ port, most, keys: new Set(found.map((u) => u.key)) });
    }
    const [one, four] = answers as [(typeof answers)[0], (typeof answers)[0]];
    assert.equal(one.most, 1);
    assert.equal(four.most, 4);
    assert.deepEqual(four.keys, new Set(users.map((u) => u.key)));
    assert.deepEqual(four.keys, one.keys);
    assert.equal(four.port.queries, one.port.queries, 'the same queries, only sooner');
  });

  it('needs fewer queries when answers are in username order', async () => {
    const users = population(1_200);
    const sorted = cappedSearchPort(users, 100);
    const shuffled = cappedSearchPort(users, 100, 'shuffled');
    await collect(partitionedSearch(sorted, { cap: 100 }, counters()));
    await collect(partitionedSearch(shuffled, { cap: 100 }, counters()));
    assert.ok(sorted.queries < shuffled.queries * 0.75, `${sorted.queries} vs ${shuffled.queries}`);
  });

  it('splits a prefix ending in a space from where the sorted answer before it stopped', async () => {
    // "ann" is capped at "ann smith0NN": every "ann a…" to "ann r…" sorted before it and was
    // returned, so "ann " (which cannot be asked) is split from "s" on; "ann zed" is still found.
    const users = [
      user(0, 'ann', 'Ann Exact'),
      user(1, 'ann lee', 'Ann Lee'),
      ...Array.from({ length: 150 }, (_, i) =>
        user(10 + i, `ann smith${String(i).padStart(3, '0')}`, 'Ann S'),
      ),
      user(2, 'ann zed', 'Ann Zed'),
      user(3, 'annie', 'Annie'),
    ];
    const port = cappedSearchPort(users, 100);
    const asked: string[] = [];
    const search = port.search.bind(port);
    port.search = (query, startAt, maxResults) => {
      asked.push(query);
      return search(query, startAt, maxResults);
    };
    const found = await collect(
      uniqueByKey(partitionedSearch(port, { cap: 100, concurrency: 1 }, counters()), () => undefined),
    );
    assert.deepEqual(new Set(found.map((u) => u.key)), new Set(users.map((u) => u.key)));
    const underSpace = asked.filter((query) => query.startsWith('ann '));
    assert.ok(underSpace.includes('ann s') && underSpace.includes('ann z'), underSpace.join('|'));
    assert.ok(!underSpace.includes('ann a') && !underSpace.includes('ann r'), underSpace.join('|'));
  });

  it("finds a username with a space, + or ' under a prefix that display names fill, no answer showing one", async () => {
    // Every "aa…" user's display name has the word "Smith", so "smith"'s 100 results all sort
    // before it. The users below (no e-mail; "Aa Smith" matches only capped queries) are returned
    // by "smith " + c, "smith+" and "smith'" alone, and no other name shows a space, + or '.
    const users = [
      ...Array.from({ length: 130 }, (_, i) => user(i, `aa${String(i).padStart(3, '0')}.jones`, 'Aa Smith')),
      user(500, 'smith jones', 'Aa Smith', ''),
      user(501, 'smith+x', 'Aa Smith', ''),
      user(502, "smith'y", 'Aa Smith', ''),
      user(503, 'smith', 'Aa Smith', ''),
    ];
    const port = cappedSearchPort(users, 100);
    const found = await collect(
      uniqueByKey(partitionedSearch(port, { cap: 100 }, counters()), () => undefined),
    );
    assert.deepEqual(new Set(found.map((u) => u.key)), new Set(users.map((u) => u.key)));
  });

  it('counts prefixes still at the cap at the deepest length instead of looping', async () => {
    const users = Array.from({ length: 300 }, (_, i) =>
      user(i, `dup${String(i).padStart(3, '0')}`, 'Same Same'),
    );
    const port = cappedSearchPort(users, 100);
    const stats = counters();
    await collect(partitionedSearch(port, { cap: 100, maxPrefixLength: 2 }, stats));
    assert.ok(stats.prefixesCappedAtMaxDepth > 0);
  });

  it('pages with startAt where the search is not capped, and switches to prefixes when it secretly is', async () => {
    const users = population(2_345);
    const open = cappedSearchPort(users, null);
    const openStats = counters();
    const viaPaging = await collect(
      uniqueByKey(pagedSearch(open, 1_000, openStats), () => openStats.duplicatesSkipped++),
    );
    assert.equal(viaPaging.length, 2_345);
    assert.equal(open.queries, 3);

    const capped = cappedSearchPort(users, 100);
    const cappedStats = counters();
    const viaFallback = await collect(
      uniqueByKey(pagedSearch(capped, 1_000, cappedStats), () => cappedStats.duplicatesSkipped++),
    );
    assert.deepEqual(new Set(viaFallback.map((u) => u.key)), new Set(users.map((u) => u.key)));
    assert.equal(viaFallback.length, 2_345);
    assert.ok(cappedStats.prefixQueries > 0);
  });
});
