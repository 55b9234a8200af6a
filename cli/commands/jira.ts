import type { Command } from 'commander';
import { loadCliConfig } from '../load-cli-config.js';

export function registerJiraCommands(program: Command): void {
  const jira = program.command('jira').description('the Jira Reclaim works with');
  jira
    .command('check')
    .description(
      'reach Jira and say its version, listing, last-login source and the account’s admin permission; exit 1 naming what is missing',
    )
    .action(async () => {
      const { config } = await loadCliConfig(program);
      const settings = config.jira;
      if (!settings.url || (!settings.token && !settings.username)) {
        throw new Error('jira.url and jira.token (or jira.username + jira.password) are required');
      }
      const [{ checkJira, describeJiraCheck }, { JiraDataCenterClient }] = await Promise.all([
        import('../../services/jira/jira-check.js'),
        import('../../services/jira/index.js'),
      ]);
      // Straight to Jira, without Redis: the check must work before anything else is set up.
      const client = new JiraDataCenterClient({
        baseUrl: settings.url,
        ...(settings.token
          ? { token: settings.token }
          : { username: settings.username!, password: settings.password! }),
        timeoutMs: settings.timeoutMs,
        retries: settings.retries,
        ...(settings.crowd
          ? { crowd: { username: settings.crowd.application, password: settings.crowd.password } }
          : {}),
      });
      try {
        const report = await checkJira(client);
        for (const line of describeJiraCheck(report)) console.log(line);
        for (const problem of report.problems) console.error(`problem: ${problem}`);
        if (report.problems.length > 0) process.exitCode = 1;
      } finally {
        await client.close();
      }
    });
}
