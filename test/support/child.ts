import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** `reclaim …` as a child process, with its output collected. */
export interface ReclaimProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output matches (or rejects after the time limit). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnReclaim(args: string[], env: Record<string, string> = {}): ReclaimProcess {
  return spawnCommand(process.execPath, ['bin/reclaim.js', ...args], env);
}

/**
 * `reclaim worker` on a configuration file, tracked in `workers` so that `killAll` ends it;
 * resolves once its workers are listening. REDIS_URL is cleared so the file's URL is used.
 */
export async function startWorkerProcess(
  configFile: string,
  workers: ReclaimProcess[],
): Promise<ReclaimProcess> {
  const worker = spawnReclaim(['worker', '--config', configFile], { REDIS_URL: '' });
  workers.push(worker);
  await worker.waitFor(/workers started/);
  return worker;
}

/** Any command in the checkout, with its output collected. */
export function spawnCommand(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): ReclaimProcess {
  const child = spawn(command, args, {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => text,
    exited,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (child.exitCode !== null)
          throw new Error(`reclaim exited (${child.exitCode}) before ${pattern}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** A configuration file in a temporary folder; `remove()` deletes it. */
export function writeConfigFile(config: Record<string, unknown>): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'reclaim-test-'));
  const file = join(dir, 'reclaim.yaml');
  writeFileSync(file, stringify(config));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Ends every process still running (SIGKILL) and waits for each to exit. */
export async function killAll(processes: ReclaimProcess[]): Promise<void> {
  for (const process of processes.splice(0)) {
    if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGKILL');
    await process.exited;
  }
}
