import type { Command } from 'commander';
import type { RestoreRequest } from '../../services/restore/restore-ledger.js';
import { withApp } from '../with-app.js';

function describe(request: RestoreRequest): string {
  const reason = request.reason ? `: ${request.reason}` : '';
  const audit = request.auditEntry ? ` (audit entry ${request.auditEntry})` : '';
  return `restore ${request.id} for ${request.username}: ${request.state}${reason}${audit}`;
}

export function registerRestoreCommand(program: Command): void {
  program
    .command('restore <username>')
    .description('give a user back what their last reclaim took (groups, and an account it deactivated)')
    .option('--no-wait', 'queue the restore and return')
    .action(async (username: string, options: { wait: boolean }) => {
      const [{ FINAL_RESTORE_STATES }, { requestRestore }, { restoreLedger }] = await Promise.all([
        import('../../services/restore/restore-ledger.js'),
        import('../../services/restore/request-restore.js'),
        import('../../workers/restore.js'),
      ]);
      await withApp(program, async (app) => {
        const queued = await requestRestore(
          { jira: app.jira(), audit: app.audit, ledger: restoreLedger(app), registry: app.registry },
          username,
          'cli',
          `cli:${process.env.USER ?? 'unknown'}`,
        );
        console.log(
          `restore ${queued.requestId} queued for ${queued.user.name}: gives back what run ${queued.reclaim.runId} took`,
        );
        if (!options.wait) return;
        const ledger = restoreLedger(app);
        for (;;) {
          const request = await ledger.get(queued.requestId);
          if (request && (FINAL_RESTORE_STATES.includes(request.state) || request.state === 'waiting')) {
            console.log(describe(request));
            if (request.state === 'waiting') console.log('it goes through as soon as a seat is free');
            if (request.state === 'failed' || request.state === 'not-possible') process.exitCode = 1;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      });
    });
}
