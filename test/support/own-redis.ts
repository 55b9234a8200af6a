import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, redisAnswers } from '../../runtime/local-redis.js';

/*
 * A redis-server of the test's own, on its own port and directory, that the test can stop and
 * start again (same port, same directory): what an outage, a failover or a Redis upgrade looks
 * like to Reclaim. With `appendfsync` the server keeps an append-only file, as production
 * Redis does (PRODUCT.md §6: AOF on), so a restart keeps what reached the disk.
 */
export interface OwnRedisOptions {
  /** `always`, `everysec` (production's usual choice) or `no`; absent: no persistence at all. */
  appendfsync?: 'always' | 'everysec' | 'no';
}

export class OwnRedis {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'reclaim-own-redis-'));
  /** How many times the server was stopped after its first start. */
  stops = 0;

  private constructor(
    readonly port: number,
    private readonly options: OwnRedisOptions,
  ) {}

  static async start(options: OwnRedisOptions = {}): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort(), options);
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  async up(): Promise<void> {
    const args = ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--save', ''];
    if (this.options.appendfsync) args.push('--appendonly', 'yes', '--appendfsync', this.options.appendfsync);
    else args.push('--appendonly', 'no');
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers('127.0.0.1', this.port, 300))) {
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the server: SIGTERM (it flushes its append-only file) or SIGKILL (a crash). */
  async down(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.stops += 1;
  }

  async remove(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
