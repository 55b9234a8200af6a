import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config/load.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('configuration tools');
  config
    .command('check [file]')
    .description('validate a configuration file; exit 1 naming every problem by its path')
    .action((file: string | undefined) => {
      const target = file ?? program.opts<{ config?: string }>().config ?? process.env.RECLAIM_CONFIG;
      if (!target) {
        console.error('reclaim config check: name a file (or set RECLAIM_CONFIG)');
        process.exitCode = 1;
        return;
      }
      try {
        // The file alone: environment overrides are not part of what is being checked.
        loadConfig({ file: target, env: {} });
        console.log(`${target}: OK`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        console.error(`${target}: ${error.problems.length} problem(s)`);
        for (const problem of error.problems) console.error(`  ${problem}`);
        process.exitCode = 1;
      }
    });
}
