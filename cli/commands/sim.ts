import type { Command } from 'commander';
import { createLogger } from '../../runtime/logger.js';
import { stopOnSignals } from '../../runtime/signals.js';
import { parseNumber } from '../options.js';

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run the Jira Data Center (+ SCIM directory) simulator on its own')
    .option('--profile <profile>', 'dc9 | dc10 | dc11 (default: the fixture’s, else dc11)')
    .option('--users <n>', 'size of the synthetic enterprise', parseNumber('--users', { min: 1 }))
    .option('--fixture <file>', 'a fixture file (PRODUCT.md §4) instead of a synthetic enterprise')
    .option('--seed <n>', 'seed of the synthetic enterprise', parseNumber('--seed', { min: 0 }))
    .option('--port <port>', 'port to listen on', parseNumber('--port', { min: 0, max: 65535 }), 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0 in a container)', '127.0.0.1')
    .option('--token <token>', 'the Bearer token accepted (Basic admin/admin works too)', 'sim-token')
    .option(
      '--crowd-app <name:password>',
      'the Jira User Server application Crowd REST (/rest/usermanagement) accepts',
      'reclaim:reclaim-secret',
    )
    .option('--rate-limit <r>', 'requests per second before 429', parseNumber('--rate-limit', { min: 0 }))
    .option(
      '--latency-ms <l>',
      'added latency per request, with jitter',
      parseNumber('--latency-ms', { min: 0 }),
    )
    .option(
      '--fault-rate <f>',
      'share of requests that fail (0..1)',
      parseNumber('--fault-rate', { min: 0, max: 1 }),
    )
    .option(
      '--database <url>',
      'also write Jira’s user and group tables into this PostgreSQL or MySQL / MariaDB database (postgres://…, mysql://…)',
    )
    .action(async (options: SimCliOptions) => {
      if (options.profile && !['dc9', 'dc10', 'dc11'].includes(options.profile)) {
        throw new Error(`--profile: expected dc9, dc10 or dc11, got "${options.profile}"`);
      }
      if (options.users !== undefined && options.fixture) {
        throw new Error('--users and --fixture exclude each other');
      }
      const { startSimulator } = await import('../../simulator/index.js');
      const logger = createLogger('reclaim-sim');
      const sim = await startSimulator({
        profile: options.profile as 'dc9' | 'dc10' | 'dc11' | undefined,
        users: options.users,
        fixture: options.fixture,
        seed: options.seed,
        port: options.port,
        host: options.host,
        token: options.token,
        crowdApplication: options.crowdApp,
        rateLimit: options.rateLimit,
        latencyMs: options.latencyMs,
        faultRate: options.faultRate,
        database: options.database,
      });
      logger.info({ url: sim.url, profile: sim.profile, users: sim.userCount }, 'simulator listening');
      console.log(`Jira simulator (${sim.profile}, ${sim.userCount} users) at ${sim.url}`);
      console.log(`SCIM directory at ${sim.url}/scim/v2/Users — token "${options.token}" or admin/admin`);
      console.log(
        `Crowd REST at ${sim.url}/rest/usermanagement/1 — application "${options.crowdApp}" (Basic)`,
      );
      console.log(
        `Okta at ${sim.url}/okta (SSWS token), Entra ID at ${sim.url}/entra (client secret = token), ` +
          `Google at ${sim.url}/google (register a service account: POST /__sim/idp/google/service-account)`,
      );
      if (options.database) {
        const { redactedUrl } = await import('../../services/jira-database/sql-connection.js');
        console.log(`Jira's user and group tables written to ${redactedUrl(options.database)}, kept in step`);
      }
      stopOnSignals(logger, () => sim.close());
    });
}

interface SimCliOptions {
  profile?: string;
  users?: number;
  fixture?: string;
  seed?: number;
  port: number;
  host: string;
  token: string;
  crowdApp: string;
  rateLimit?: number;
  latencyMs?: number;
  faultRate?: number;
  database?: string;
}
