import { parseNumber } from '../options.js';
import type { Command } from 'commander';
import { withApp, requireRun } from '../with-app.js';
import { addInactiveReportOptions, reportInactive, reportLicences } from './report.js';

const cliActor = () => `cli:${process.env.USER ?? 'cli'}`;

export function registerApplyCommands(program: Command): void {
  program
    .command('approve <id>')
    .description('let a run held by the brake go on and act')
    .action(async (id: string) => {
      const [{ approveRun }, { queueApply }] = await Promise.all([
        import('../../services/pipeline/finish-run.js'),
        import('../../workers/run-control.js'),
      ]);
      await withApp(program, async (app) => {
        const run = await requireRun(app, id);
        if (
          !(await approveRun(
            { runs: app.runs, lifecycle: app.lifecycle, startApply: queueApply(app) },
            run.id,
            cliActor(),
          ))
        ) {
          throw new Error(`run ${run.id} is ${run.status}: only a run awaiting approval can be approved`);
        }
        console.log(`run ${run.id} approved: applying`);
      });
    });

  program
    .command('undo <id>')
    .description('restore the state before one action (ACTION_ID) or a whole run (RUN_ID), in reverse order')
    .option('--no-wait', 'queue the undo and return')
    .action(async (id: string, options: { wait: boolean }) => {
      const { resolveUndoTarget, requestUndo } = await import('../../runtime/undo-requests.js');
      await withApp(program, async (app) => {
        const target = await resolveUndoTarget(app, id);
        if (!target) throw new Error(`${id}: no run and no audited action has this id`);
        const jobId = await requestUndo(app, target, cliActor());
        if (!options.wait) {
          console.log(`undo queued as job ${jobId}`);
          return;
        }
        const job = (await app.registry.queue('undo').getJob(jobId))!;
        for (;;) {
          const state = await job.getState();
          if (state === 'completed' || state === 'failed') break;
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        const finished = (await app.registry.queue('undo').getJob(jobId))!;
        if (finished.failedReason) throw new Error(`undo failed: ${finished.failedReason}`);
        console.log(JSON.stringify(finished.returnvalue, null, 2));
      });
    });

  const audit = program.command('audit').description('the audit log of every change made in Jira');
  audit
    .command('verify')
    .description('check the hash chain: exit 1 naming the first entry altered or missing')
    .action(async () => {
      await withApp(program, async (app) => {
        const result = await app.audit.verify();
        if (result.ok) {
          console.log(`audit log intact: ${result.count} entries`);
          return;
        }
        console.error(`audit log broken at entry ${result.entryId}: ${result.problem}`);
        process.exitCode = 1;
      });
    });

  addInactiveReportOptions(
    program
      .command('report <kind>')
      .description(
        'reports: audit (the changes made; --run to narrow), inactive (the newest plan by verdict, filtered), licenses (seats per application and their history)',
      )
      .option('--csv', 'CSV instead of JSON lines (audit) or text (inactive, licenses)')
      .option(
        '--days <n>',
        'licenses: the history of the last N days (default 30)',
        parseNumber('--days', { min: 1 }),
      )
      .option('--run <id>', 'audit: only this run'),
  ).action(
    async (
      kind: string,
      options: { csv?: boolean; run?: string; days?: number } & Parameters<typeof reportInactive>[1],
    ) => {
      if (kind === 'inactive') return reportInactive(program, options);
      if (kind === 'licenses' || kind === 'licences') return reportLicences(program, options);
      if (kind !== 'audit')
        throw new Error(`report ${kind}: available reports are: audit, inactive, licenses`);
      const { auditCsv } = await import('../../services/audit/audit-csv.js');
      await withApp(program, async (app) => {
        const entries = app.audit.stream(options.run ? { runId: options.run } : {});
        if (options.csv) {
          await new Promise<void>((resolve, reject) => {
            const csv = auditCsv(entries);
            csv.on('error', reject).on('end', resolve);
            csv.pipe(process.stdout, { end: false });
          });
          return;
        }
        for await (const entry of entries) process.stdout.write(`${JSON.stringify(entry)}\n`);
      });
    },
  );
}
