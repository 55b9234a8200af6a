import type { Command } from 'commander';
import { RECLAIM_RULES, type ReclaimRule } from '../../services/policy/types.js';
import type { App } from '../../runtime/app.js';
import type { PruneResult } from '../../services/runs/prune-runs.js';
import type { Run } from '../../services/runs/types.js';
import { formatRun, formatSummary } from '../format-run.js';
import { requireRun, withApp } from '../with-app.js';
import { parseIsoInstantOption } from '../options.js';
import { RunProgress } from '../progress.js';

/** Waits for the run to settle, drawing progress on a terminal. */
export async function waitWithProgress(app: App, id: string, progress?: RunProgress): Promise<Run> {
  const { waitForRun } = await import('../../services/runs/wait-for-run.js');
  const run = await waitForRun(app.runs, id, { onUpdate: (r) => progress?.update(r) });
  progress?.end();
  return run;
}

/**
 * Waits for the run on a connection that rides out a Redis restart, then prints the summary
 * (or the final record as JSON); exit code 1 when the run failed.
 */
async function waitAndReport(program: Command, id: string, json: boolean): Promise<void> {
  const { summarizeRun } = await import('../../services/reports/run-summary.js');
  await withApp(
    program,
    async (app) => {
      await requireRun(app, id);
      const run = await waitWithProgress(app, id, json ? undefined : new RunProgress());
      if (json) console.log(JSON.stringify(run, null, 2));
      else console.log(formatSummary(await summarizeRun(app.plans, run, app.audit)));
      if (run.status === 'failed') process.exitCode = 1;
    },
    'waiter',
  );
}

export function registerRunCommands(program: Command): void {
  program
    .command('scan')
    .description('start a run (a dry run unless --apply); workers must be running')
    .option('--apply', 'plan and then act (held by the brake when the plan is large)')
    .option(
      '--as-of <iso>',
      'evaluate every date rule against this time (default: now): with an offset (Z, +02:00) or a date (00:00 UTC)',
      parseIsoInstantOption('--as-of', { notInFuture: true }),
    )
    .option('--only <rule>', `only this reclaim rule: ${RECLAIM_RULES.join(' | ')}`)
    .option('--wait', 'show progress and the summary when the run is planned or done')
    .option('--json', 'print the final run record as JSON on stdout')
    .action(
      async (options: { apply?: boolean; asOf?: Date; only?: string; wait?: boolean; json?: boolean }) => {
        if (options.only && !(RECLAIM_RULES as readonly string[]).includes(options.only)) {
          throw new Error(`--only: expected one of ${RECLAIM_RULES.join(', ')}, got "${options.only}"`);
        }
        const { launchRun } = await import('../../runtime/launch-run.js');
        const created = await withApp(program, async (app) => {
          const run = await launchRun(app, {
            mode: options.apply ? 'apply' : 'dry-run',
            trigger: { type: 'cli', by: process.env.USER ?? 'cli' },
            ...(options.asOf ? { asOf: options.asOf } : {}),
            ...(options.only ? { only: options.only as ReclaimRule } : {}),
          });
          if (!options.json) console.error(`started run ${run.id} (${run.mode})`);
          if ((await app.registry.queue('scan').getWorkersCount()) === 0) {
            console.error(
              'warning: no worker is listening: start `reclaim worker` (or `reclaim start`) to process the run',
            );
          }
          if (options.json && !options.wait) console.log(JSON.stringify(run, null, 2));
          else if (!options.wait) console.log(run.id);
          return run;
        });
        if (options.wait) await waitAndReport(program, created.id, options.json === true);
      },
    );

  const runs = program
    .command('runs [id]')
    .description('list recent runs, or show one run with its counters (`runs prune`: retention)')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many runs to list', '20')
    .option('--wait', 'with an id: wait until the run is done, failed, cancelled or held, then show it')
    .action(async (id: string | undefined, options: { json?: boolean; limit: string; wait?: boolean }) => {
      if (options.wait) {
        if (!id) throw new Error('--wait needs a run id: reclaim runs ID --wait');
        await waitAndReport(program, id, options.json === true);
        return;
      }
      const { summarizeRun } = await import('../../services/reports/run-summary.js');
      await withApp(program, async (app) => {
        if (id) {
          const run = await requireRun(app, id);
          console.log(
            options.json
              ? JSON.stringify(run, null, 2)
              : formatSummary(await summarizeRun(app.plans, run, app.audit)),
          );
          return;
        }
        const runs = await app.runs.list({ limit: Number(options.limit) || 20 });
        if (options.json) console.log(JSON.stringify(runs, null, 2));
        else if (runs.length === 0) console.log('no runs yet');
        else for (const run of runs) console.log(`${formatRun(run).split('\n')[0]}`);
      });
    });

  runs
    .command('prune')
    .description(
      'remove the plans of finished runs older than runs.retainDays or beyond the newest runs.retainCount (summaries and audit stay)',
    )
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'print the result as JSON')
    .action(async (options: { dryRun?: boolean; json?: boolean }) => {
      const { pruneRuns } = await import('../../services/runs/prune-runs.js');
      await withApp(program, async (app) => {
        const result = await pruneRuns(
          { redis: app.redis, prefix: app.prefix, runs: app.runs, plans: app.plans },
          app.config.runs,
          { dryRun: options.dryRun === true },
        );
        console.log(options.json ? JSON.stringify(result, null, 2) : formatPrune(result));
      });
    });

  program
    .command('plan <id>')
    .description("print a run's plan (JSON lines, or CSV with --csv)")
    .option(
      '--csv',
      'CSV with the columns username,key,display_name,email,active,last_login,verdict,actions,reasons',
    )
    .action(async (id: string, options: { csv?: boolean }) => {
      const [{ planCsv, runKnowsDirectories }, { planPrunedMessage }] = await Promise.all([
        import('../../services/runs/plan-csv.js'),
        import('../../services/runs/prune-runs.js'),
      ]);
      await withApp(program, async (app) => {
        const run = await requireRun(app, id);
        if (run.planPrunedAt !== undefined) throw new Error(planPrunedMessage(run));
        if (options.csv) {
          await new Promise<void>((resolve, reject) => {
            const csv = planCsv(app.plans.stream(run.id), { directoryColumn: runKnowsDirectories(run) });
            csv.on('error', reject).on('end', resolve);
            csv.pipe(process.stdout, { end: false });
          });
          return;
        }
        for await (const line of app.plans.stream(run.id)) process.stdout.write(`${JSON.stringify(line)}\n`);
      });
    });

  program
    .command('cancel <id>')
    .description('cancel a run that has not finished; nothing more is done for it')
    .action(async (id: string) => {
      await withApp(program, async (app) => {
        const run = await requireRun(app, id);
        if (!(await app.lifecycle.cancel(run.id, `cancelled from the CLI by ${process.env.USER ?? 'cli'}`))) {
          throw new Error(`run ${run.id} is ${run.status} and cannot be cancelled`);
        }
        console.log(`run ${run.id} cancelled`);
      });
    });
}

function formatPrune(result: PruneResult): string {
  const lines = result.runs.map(
    (run) => `${run.id}  ${run.status}  created ${run.createdAt}  ${run.lines} line(s)  — ${run.reason}`,
  );
  const total = result.dryRun
    ? `would prune ${result.runs.length} plan(s), ${result.lines} line(s); nothing removed (--dry-run)`
    : `pruned ${result.runs.length} plan(s), ${result.lines} line(s), ${result.rows} row(s) of the records store, ${result.keys} Redis key(s)`;
  return [...lines, total].join('\n');
}
