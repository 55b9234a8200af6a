import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import { createLogger } from '../../runtime/logger.js';
import { stopOnSignals } from '../../runtime/signals.js';
import { parseNumber } from '../options.js';
import { loadCliConfig } from '../load-cli-config.js';

const DEMO_PREFIX = 'reclaim-demo';
const DEMO_RECORDS_DIR = './data/demo-records';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'the zero-config tour: simulated Jira + directory, API with the console and Bull Board, workers, one dry run',
    )
    .option('--users <n>', 'size of the simulated enterprise', parseNumber('--users', { min: 1 }), 5000)
    .option(
      '--port <port>',
      'port of the API and Bull Board',
      parseNumber('--port', { min: 0, max: 65535 }),
      3000,
    )
    .option('--profile <profile>', 'simulated Jira version: dc9 | dc10 | dc11', 'dc11')
    .option('--exit', 'stop after the dry run instead of serving until Ctrl-C')
    .action(async (options: { users: number; port: number; profile: string; exit?: boolean }) => {
      if (!['dc9', 'dc10', 'dc11'].includes(options.profile)) {
        throw new Error(`--profile: expected dc9, dc10 or dc11, got "${options.profile}"`);
      }
      const [
        { startSimulator, DEFAULT_CROWD_APPLICATION },
        { startApiRole, startWorkerRole },
        { launchRun },
        { waitWithProgress },
        { licenceCheck },
      ] = await Promise.all([
        import('../../simulator/index.js'),
        import('../../runtime/process-roles.js'),
        import('../../runtime/launch-run.js'),
        import('./runs.js'),
        import('../../workers/license-check.js'),
      ]);
      const { summarizeRun } = await import('../../services/reports/run-summary.js');
      const { formatSummary } = await import('../format-run.js');
      const { RunProgress } = await import('../progress.js');
      const { deletePrefixKeys } = await import('../../runtime/prefix-keys.js');
      const { portIsFree } = await import('../../runtime/local-redis.js');
      // The tour must not fail because something else already uses the default port.
      const apiPort = options.port === 0 || (await portIsFree(options.port)) ? options.port : 0;
      if (apiPort !== options.port)
        console.log(`Port ${options.port} is taken: the API takes a free port instead.`);

      const logger = createLogger('reclaim-demo', process.env.LOG_LEVEL ?? 'warn');
      console.log(`Starting a simulated Jira (${options.profile}) with ${options.users} users …`);
      const sim = await startSimulator({ users: options.users, profile: options.profile as 'dc11' });
      const token = randomBytes(16).toString('hex');
      const aYearAgo = new Date(Date.now() - 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);
      const { config: loaded, localRedis } = await loadCliConfig(program, {
        startLocalRedis: true,
        overrides: {
          redis: { prefix: DEMO_PREFIX },
          jira: {
            url: sim.url,
            token: 'sim-token',
            requestsPerSecond: 1000,
            // Jira 9's last logins are read as the simulator's Jira User Server application.
            ...(sim.profile === 'dc9'
              ? {
                  crowd: {
                    application: DEFAULT_CROWD_APPLICATION.name,
                    password: DEFAULT_CROWD_APPLICATION.password,
                  },
                }
              : {}),
          },
          // Jira has no creation dates: date the existing accounts a year back, so users who
          // never logged in are recognised on this very first scan.
          policy: { existingUsersSeenSince: aYearAgo },
          directories: { sources: [{ type: 'scim', url: `${sim.url}/scim/v2`, token: 'sim-token' }] },
          api: { port: apiPort, tokens: [{ name: 'demo', token, role: 'admin' }] },
        },
      });
      // The tour keeps its records in an embedded store of its own, started afresh like its
      // Redis prefix, whatever records store the configuration names.
      const config = { ...loaded, records: { ...loaded.records, url: undefined, dataDir: DEMO_RECORDS_DIR } };
      rmSync(DEMO_RECORDS_DIR, { recursive: true, force: true });
      await deletePrefixKeys(config.redis, config.redis.prefix);
      const workers = await startWorkerRole(config, logger);
      const api = await startApiRole(config, logger);
      // The console first: it is where the tour is meant to be looked at.
      console.log(`Console: ${api.url}/   (sign in with the token ${token})`);

      const stop = async () => {
        await api.stop();
        await workers.stop();
        await sim.close();
        await deletePrefixKeys(config.redis, config.redis.prefix);
        await localRedis?.stop();
      };

      try {
        const created = await launchRun(api.app, { mode: 'dry-run', trigger: { type: 'demo' } });
        console.log(`Dry run ${created.id} started …`);
        const run = await waitWithProgress(api.app, created.id, new RunProgress(process.stdout));
        // The licence monitor's first reading now, rather than one interval after start.
        await licenceCheck(workers.app);
        console.log();
        console.log(formatSummary(await summarizeRun(api.app.plans, run)));
        console.log();
        console.log('Open:');
        console.log(`  Console        ${api.url}/   (sign in with the token ${token})`);
        console.log(`  Bull Board     ${api.url}/admin/queues   (the same sign-in)`);
        console.log(
          `  The run        curl -H 'Authorization: Bearer ${token}' ${api.url}/api/runs/${run.id}`,
        );
        console.log(
          `  Its plan (CSV) curl -H 'Authorization: Bearer ${token}' ${api.url}/api/runs/${run.id}/plan.csv`,
        );
        console.log(
          `  Seats chart    curl -H 'Authorization: Bearer ${token}' ${api.url}/api/reports/licenses.svg > seats.svg`,
        );
        console.log(`  Simulated Jira ${sim.url}/rest/api/2/serverInfo   (Bearer sim-token, or admin/admin)`);
        if (run.status !== 'done') process.exitCode = 1;
      } catch (error) {
        await stop();
        throw error;
      }
      if (options.exit) {
        await stop();
        return;
      }
      console.log('\nServing until Ctrl-C.');
      stopOnSignals(logger, stop);
    });
}
