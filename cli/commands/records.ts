import type { Command } from 'commander';
import { loadCliConfig } from '../load-cli-config.js';

export function registerRecordsCommands(program: Command): void {
  const records = program.command('records').description('the records store (runs, plans, audit log)');
  records
    .command('migrate')
    .description('apply the records schema migrations (every process also applies them at start-up)')
    .option('--dry-run', 'list the migrations that would be applied, apply none')
    .action(async (options: { dryRun?: boolean }) => {
      const { config } = await loadCliConfig(program);
      const { url, dataDir, appRole } = config.records;
      if (url) {
        const [{ default: pg }, { applyMigrations }, { describeRecordsUrl }] = await Promise.all([
          import('pg'),
          import('../../services/records/migrate.js'),
          import('../../services/records/records-db.js'),
        ]);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const { applied } = await applyMigrations(client, { dryRun: options.dryRun === true });
          report(describeRecordsUrl(url), applied, options.dryRun === true);
        } finally {
          await client.end();
        }
        return;
      }
      if (options.dryRun)
        throw new Error('--dry-run needs records.url: the embedded store migrates as it opens');
      // The embedded store applies what is pending as it opens.
      const { openEmbeddedRecords } = await import('../../services/records/embedded-records.js');
      const db = openEmbeddedRecords({ dataDir, appRole });
      try {
        await db.ready();
        console.log(`records: the embedded store in ${db.location} is migrated`);
      } finally {
        await db.close();
      }
    });
}

function report(location: string, applied: string[], dryRun: boolean): void {
  if (applied.length === 0) {
    console.log(`records: ${location} is up to date`);
    return;
  }
  console.log(
    `records: ${dryRun ? 'would apply' : 'applied'} ${applied.length} migration(s) to ${location}:`,
  );
  for (const name of applied) console.log(`  ${name}`);
}
