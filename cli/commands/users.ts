import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { App } from '../../runtime/app.js';
import type { Batch } from '../../services/users/types.js';
import type { ParsedRow } from '../../services/users/user-update-request.js';
import { BatchProgress } from '../batch-progress.js';
import { withApp } from '../with-app.js';

interface UpdateOptions {
  name?: string;
  email?: string;
  displayName?: string;
  active?: boolean;
  addGroup: string[];
  removeGroup: string[];
  wait?: boolean;
}

/** The API's field names back to the flags the operator typed. */
const FLAG_OF: Record<string, string> = {
  name: '--name',
  emailAddress: '--email',
  displayName: '--display-name',
  active: '--active',
  'groups.add': '--add-group',
  'groups.remove': '--remove-group',
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseBoolean(value: string): boolean {
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new InvalidArgumentError(`--active: expected true or false, got "${value}"`);
}

async function waitForBatch(app: App, id: string, progress?: BatchProgress): Promise<Batch> {
  for (;;) {
    const batch = await app.batches.get(id);
    if (!batch) throw new Error(`batch ${id} is gone`);
    progress?.update(batch);
    if (batch.status === 'done') {
      progress?.end();
      return batch;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The counts, and every row that failed with its reason (the first 50). */
async function printOutcome(app: App, batch: Batch): Promise<void> {
  const { batchRows } = await import('../../services/users/batch-csv.js');
  const c = batch.counts;
  console.log(`batch ${batch.id}: ${c.done} done, ${c.failed} failed, ${c.skipped} skipped`);
  let shown = 0;
  for await (const row of batchRows(app.batches, batch.id, batch.total ?? 0)) {
    if (row.outcome === 'pending' || row.outcome === 'done') continue;
    if (shown++ === 50) {
      console.log(`  … the rest: GET /api/batches/${batch.id}.csv`);
      break;
    }
    console.log(`  row ${row.row} ${row.username}: ${row.outcome}: ${row.reason ?? ''}`);
  }
  if (c.failed > 0) process.exitCode = 1;
}

async function submit(program: Command, rows: () => AsyncIterable<ParsedRow>, wait: boolean): Promise<void> {
  const [{ BatchRefusedError, ingestBatch }, { userUpdateSink }] = await Promise.all([
    import('../../services/users/ingest-batch.js'),
    import('../../workers/user-update.js'),
  ]);
  await withApp(
    program,
    async (app) => {
      const { batchId, total } = await ingestBatch(
        { batches: app.batches, sink: userUpdateSink(app) },
        rows(),
        `cli:${process.env.USER ?? 'unknown'}`,
      ).catch((error: unknown) => {
        if (error instanceof BatchRefusedError) throw new Error(`refused: ${error.message}`);
        throw error;
      });
      console.log(`batch ${batchId}: ${total} row(s) queued`);
      if (wait) await printOutcome(app, await waitForBatch(app, batchId, new BatchProgress()));
    },
    wait ? 'waiter' : 'producer',
  );
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('change Jira users (each change audited and undoable)');

  users
    .command('update <username>')
    .description('change one user: rename (the key stays), e-mail, display name, active, groups')
    .option('--name <username>', 'rename the user')
    .option('--email <address>', 'new e-mail address')
    .option('--display-name <name>', 'new display name')
    .option('--active <true|false>', 'activate or deactivate', parseBoolean)
    .option('--add-group <group>', 'add to a group (repeatable)', collect, [])
    .option('--remove-group <group>', 'remove from a group (repeatable)', collect, [])
    .option('--wait', 'wait for the change and print its outcome')
    .action(async (username: string, options: UpdateOptions) => {
      const { parseJsonRow } = await import('../../services/users/user-update-request.js');
      const row = parseJsonRow({
        username,
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.email !== undefined ? { emailAddress: options.email } : {}),
        ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
        ...(options.active !== undefined ? { active: options.active } : {}),
        ...(options.addGroup.length + options.removeGroup.length > 0
          ? { groups: { add: options.addGroup, remove: options.removeGroup } }
          : {}),
      });
      if (row.error !== undefined) {
        const field = row.error.slice(0, row.error.indexOf(':'));
        const flag = FLAG_OF[field.replace(/\.\d+$/, '')];
        throw new Error(flag ? `${flag}${row.error.slice(field.length)}` : row.error);
      }
      await submit(
        program,
        async function* () {
          yield row;
        },
        options.wait === true,
      );
    });

  users
    .command('bulk-update <file>')
    .description(
      'change many users from a CSV (username,new_username,email,display_name,active,add_groups,remove_groups) or JSON file',
    )
    .option('--wait', 'show progress and print the outcome (rows failed with their reasons)')
    .action(async (file: string, options: { wait?: boolean }) => {
      const { csvRows, jsonRows } = await import('../../services/users/bulk-rows.js');
      const rows = file.toLowerCase().endsWith('.json')
        ? async function* () {
            yield* jsonRows(JSON.parse(await readFile(file, 'utf8')) as unknown);
          }
        : () => csvRows(createReadStream(file));
      await submit(program, rows, options.wait === true);
    });
}
