import { Command } from 'commander';
import { registerApplyCommands } from './commands/apply.js';
import { registerConfigCommands } from './commands/config-check.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDirectoryCommands } from './commands/directories.js';
import { registerJiraCommands } from './commands/jira.js';
import { registerRecordsCommands } from './commands/records.js';
import { registerRestoreCommand } from './commands/restore.js';
import { registerRoleCommands } from './commands/roles.js';
import { registerRunCommands } from './commands/runs.js';
import { registerSimCommand } from './commands/sim.js';
import { registerUserCommands } from './commands/users.js';

// The command modules only declare their commands: each loads what it runs with inside its
// action, so a process loads no more than its own command needs (a worker is spawned many times
// and runs for long; it has no use for the simulator, the API or the embedded records store).
const program = new Command('reclaim')
  .description('Find the Jira users who no longer need a licence, and take it back safely.')
  .option('-c, --config <file>', 'configuration file (YAML); default: $RECLAIM_CONFIG')
  .showHelpAfterError();

registerDemoCommand(program);
registerConfigCommands(program);
registerDirectoryCommands(program);
registerJiraCommands(program);
registerRecordsCommands(program);
registerRoleCommands(program);
registerRunCommands(program);
registerApplyCommands(program);
registerSimCommand(program);
registerUserCommands(program);
registerRestoreCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = process.exitCode || 1;
}
