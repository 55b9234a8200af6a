import type { Command } from 'commander';
import type { RedisClient, RedisTarget } from '../../queues/connection.js';
import type { SourceCheck } from '../../services/directories/check-sources.js';
import type { ProviderTuning } from '../../services/directories/create-directory-providers.js';
import type { MatchBy } from '../../services/directories/match-key.js';
import { loadCliConfig } from '../load-cli-config.js';
import { parseNumber } from '../options.js';

interface CheckOptions {
  user?: string;
  retries: number;
  acceptShrink?: boolean;
}

export function registerDirectoryCommands(program: Command): void {
  const directories = program
    .command('directories')
    .description('the external directories (directories.sources)');
  directories
    .command('check')
    .description(
      'connect to every source, authenticate, count what its listing returns and look up one user; exit 1 naming a source that failed',
    )
    .option(
      '--user <name>',
      "the user to look up, by each source's key: a username, or an e-mail address for a source with match: email (default: the first account a listing returned)",
    )
    .option('--retries <n>', 'retries of a failed request', parseNumber('--retries', { min: 0 }), 1)
    .option(
      '--accept-shrink',
      "take each CSV file's row count as it is now as the one the next run compares with",
    )
    .action(async (options: CheckOptions) => {
      const { config } = await loadCliConfig(program);
      const sources = config.directories.sources;
      if (sources.length === 0) {
        console.log('no directory sources are configured (directories.sources)');
        return;
      }
      const [{ checkSource, describeSourceCheck }, { createDirectoryProviders }, { RowCountBaseline }] =
        await Promise.all([
          import('../../services/directories/check-sources.js'),
          import('../../services/directories/create-directory-providers.js'),
          import('../../services/directories/csv/row-count-baseline.js'),
        ]);
      const redis = sources.some((s) => s.type === 'csv') ? await connect(config.redis) : undefined;
      const baseline = redis && new RowCountBaseline(redis, config.redis.prefix);
      try {
        if (sources.some((s) => s.type === 'csv') && !baseline)
          console.log(
            'note: RedisClient cannot be reached, so no CSV file is compared with its last row count',
          );
        // A CSV file is compared with its last believed row count as a run would, but nothing is
        // recorded — unless --accept-shrink, which takes the file as it is now.
        const tuning: ProviderTuning = { retries: options.retries, retryDelayMs: 500 };
        if (baseline && !options.acceptShrink)
          tuning.rowCounts = {
            baseline,
            maxShrinkPercent: config.directories.maxAbsentPercent,
            record: false,
          };
        const providers = createDirectoryProviders(sources, tuning);

        // The sources that can be listed first: a look-up-only source is then asked about the
        // first account another source matched by the same key (username or e-mail) listed,
        // unless --user names one. Printed in config order.
        const order = [...providers.keys()].sort(
          (a, b) => Number(!providers[a]!.loadAll) - Number(!providers[b]!.loadAll),
        );
        const checks: SourceCheck[] = [];
        const firstListed = new Map<MatchBy, string>();
        for (const i of order) {
          const provider = providers[i]!;
          checks[i] = await checkSource(
            provider,
            sources[i]!.type,
            options.user ?? firstListed.get(provider.matchBy),
          );
          const check = checks[i];
          if (check.listed && check.lookedUp && !firstListed.has(provider.matchBy))
            firstListed.set(provider.matchBy, check.lookedUp.user);
        }
        const failed: string[] = [];
        for (const [i, check] of checks.entries()) {
          let line = describeSourceCheck(check);
          if (options.acceptShrink && baseline && sources[i]!.type === 'csv' && check.ok && check.listed) {
            await baseline.record(check.source, check.listed.total);
            line += `; ${check.listed.total} row(s) taken as the count the next run compares with`;
          }
          console.log(line);
          if (!check.ok) failed.push(`${check.source}: ${check.failure}`);
        }
        if (failed.length > 0) {
          for (const failure of failed) console.error(`directories check failed: ${failure}`);
          process.exitCode = 1;
        }
      } finally {
        await redis?.quit().catch(() => redis.disconnect());
      }
    });
}

/** A Redis connection, or undefined when none answers within a few seconds. */
async function connect(target: RedisTarget): Promise<RedisClient | undefined> {
  const { createRedis } = await import('../../queues/connection.js');
  const redis = createRedis(target, 'producer', 'reclaim-directories-check');
  redis.on('error', () => {}); // reported as the note above, not as an unhandled error
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3_000).unref()),
    ]);
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}
