import type { Command } from 'commander';
import { isQueueName, type QueueName } from '../../queues/names.js';
import { createLogger } from '../../runtime/logger.js';
import { stopOnSignals } from '../../runtime/signals.js';
import { limitHeapGrowth } from '../../runtime/worker-heap.js';
import { loadCliConfig } from '../load-cli-config.js';

export function registerRoleCommands(program: Command): void {
  program
    .command('worker')
    .description('process jobs (scale out: run as many as you like, on any machine)')
    .option('--queues <names>', 'comma-separated queues to work on (default: all)')
    .action(async (options: { queues?: string }) => {
      limitHeapGrowth();
      const queues = parseQueues(options.queues);
      const { config, localRedis } = await loadCliConfig(program);
      const { requireSharedRecords } = await import('../../services/records/open-records.js');
      requireSharedRecords(config.records, 'worker');
      const { startWorkerRole } = await import('../../runtime/process-roles.js');
      const logger = createLogger('reclaim-worker');
      const role = await startWorkerRole(config, logger, queues);
      stopOnSignals(logger, async () => {
        await role.stop();
        await localRedis?.stop();
      });
    });

  program
    .command('api')
    .description('serve the HTTP API and Bull Board')
    .action(async () => {
      const { config, localRedis } = await loadCliConfig(program);
      const { requireSharedRecords } = await import('../../services/records/open-records.js');
      requireSharedRecords(config.records, 'api');
      const { startApiRole } = await import('../../runtime/process-roles.js');
      const logger = createLogger('reclaim-api');
      const role = await startApiRole(config, logger);
      console.log(`Reclaim API at ${role.url} — Bull Board at ${role.url}/admin/queues`);
      stopOnSignals(logger, async () => {
        await role.stop();
        await localRedis?.stop();
      });
    });

  program
    .command('start')
    .description('API + workers + scheduler in one process (small installs)')
    .action(async () => {
      limitHeapGrowth();
      const { config, localRedis } = await loadCliConfig(program, { startLocalRedis: true });
      const { startApiRole, startWorkerRole } = await import('../../runtime/process-roles.js');
      const logger = createLogger('reclaim');
      const workers = await startWorkerRole(config, logger);
      const api = await startApiRole(config, logger);
      console.log(`Reclaim API at ${api.url} — Bull Board at ${api.url}/admin/queues`);
      stopOnSignals(logger, async () => {
        await api.stop();
        await workers.stop();
        await localRedis?.stop();
      });
    });
}

function parseQueues(value: string | undefined): QueueName[] | undefined {
  if (!value) return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !isQueueName(name));
  if (unknown.length > 0) throw new Error(`--queues: unknown queue(s) ${unknown.join(', ')}`);
  return names as QueueName[];
}
