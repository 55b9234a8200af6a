import type { Command } from 'commander';
import { createDirectoryProviders } from '../../services/directories/create-directory-providers.js';
import {
  checkSource,
  describeSourceCheck,
  type SourceCheck,
} from '../../services/directories/check-sources.js';
import { loadCliConfig } from '../load-cli-config.js';
import { parseNumber } from '../options.js';

export function registerDirectoryCommands(program: Command): void {
  const directories = program
    .command('directories')
    .description('the external directories (directories.sources)');
  directories
    .command('check')
    .description(
      'connect to every source, authenticate, count what its listing returns and look up one user; exit 1 naming a source that failed',
    )
    .option('--user <name>', 'the user to look up (default: the first account a listing returned)')
    .option('--retries <n>', 'retries of a failed request', parseNumber('--retries', { min: 0 }), 1)
    .action(async (options: { user?: string; retries: number }) => {
      const { config } = await loadCliConfig(program);
      const sources = config.directories.sources;
      if (sources.length === 0) {
        console.log('no directory sources are configured (directories.sources)');
        return;
      }
      // No shrink guard here: a check reports what the source holds now and records nothing.
      const providers = createDirectoryProviders(sources, { retries: options.retries, retryDelayMs: 500 });
      // The sources that can be listed first: a look-up-only source is then asked about the
      // first account another source listed, unless --user names one. Printed in config order.
      const order = [...providers.keys()].sort(
        (a, b) => Number(!providers[a]!.loadAll) - Number(!providers[b]!.loadAll),
      );
      const checks: SourceCheck[] = [];
      let firstListed: string | undefined;
      for (const i of order) {
        checks[i] = await checkSource(providers[i]!, sources[i]!.type, options.user ?? firstListed);
        if (checks[i].listed && checks[i].lookedUp) firstListed ??= checks[i].lookedUp.user;
      }
      const failed: string[] = [];
      for (const check of checks) {
        console.log(describeSourceCheck(check));
        if (!check.ok) failed.push(`${check.source}: ${check.failure}`);
      }
      if (failed.length > 0) {
        for (const failure of failed) console.error(`directories check failed: ${failure}`);
        process.exitCode = 1;
      }
    });
}
