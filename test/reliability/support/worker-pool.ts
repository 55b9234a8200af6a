import { killAll, spawnReclaim, type ReclaimProcess } from '../../support/child.js';

/*
 * `reclaim worker` processes on one configuration file that a test kills (SIGKILL) and that are
 * started again each time, as a process supervisor (systemd, Kubernetes) would. Every kill is
 * recorded with the phase it hit, for the test's figures.
 */

export interface Kill {
  /** The kill moment: one per call that killed something, shared by the workers it killed. */
  moment: number;
  phase: string;
  pid: number;
  /** What the moment was, in words (e.g. "after the 3rd Jira change of the apply"). */
  what: string;
  at: number;
}

export class WorkerPool {
  readonly kills: Kill[] = [];
  /** Kill moments so far. */
  moments = 0;
  /** Every process ever started, for the clean-up. */
  private readonly started: ReclaimProcess[] = [];
  private alive: ReclaimProcess[] = [];
  private restarting: Promise<void> = Promise.resolve();

  constructor(
    private readonly configFile: string,
    private readonly size: number,
  ) {}

  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.spawnOne()));
  }

  /** Workers up and listening right now. */
  get running(): readonly ReclaimProcess[] {
    return this.alive;
  }

  /**
   * SIGKILLs every running worker at once — synchronously, so that a caller inside a
   * simulator request kills them before Jira answers — and starts as many again.
   */
  killAllNow(phase: string, moment: string): number {
    const victims = this.alive.splice(0);
    if (victims.length > 0) this.moments += 1;
    for (const victim of victims) this.killOne(victim, phase, moment);
    this.restartLater(victims);
    return victims.length;
  }

  /** SIGKILLs the running worker with this pid, if it is one, and starts another. */
  killPidNow(pid: number, phase: string, moment: string): boolean {
    const index = this.alive.findIndex((worker) => worker.child.pid === pid);
    if (index < 0) return false;
    const [victim] = this.alive.splice(index, 1);
    this.moments += 1;
    this.killOne(victim!, phase, moment);
    this.restartLater([victim!]);
    return true;
  }

  /** SIGKILLs one running worker (chosen by `pick`) and starts another. */
  killSomeNow(phase: string, moment: string, pick: (count: number) => number): boolean {
    if (this.alive.length === 0) return false;
    const [victim] = this.alive.splice(pick(this.alive.length), 1);
    this.moments += 1;
    this.killOne(victim!, phase, moment);
    this.restartLater([victim!]);
    return true;
  }

  /** Resolves once every restart asked for so far has its worker listening. */
  settled(): Promise<void> {
    return this.restarting;
  }

  async close(): Promise<void> {
    await this.restarting.catch(() => undefined);
    await killAll(this.started);
  }

  private killOne(victim: ReclaimProcess, phase: string, moment: string): void {
    victim.child.kill('SIGKILL');
    this.kills.push({
      moment: this.moments,
      phase,
      what: moment,
      pid: victim.child.pid ?? -1,
      at: Date.now(),
    });
  }

  private restartLater(victims: ReclaimProcess[]): void {
    const previous = this.restarting;
    this.restarting = (async () => {
      await previous;
      await Promise.all(victims.map((victim) => victim.exited));
      await Promise.all(victims.map(() => this.spawnOne()));
    })();
  }

  private async spawnOne(): Promise<void> {
    const worker = spawnReclaim(['worker', '--config', this.configFile], { REDIS_URL: '' });
    this.started.push(worker);
    await worker.waitFor(/workers started/, 60_000);
    // Killed while starting (a kill of "every running worker" does not know it yet): let it be.
    if (worker.child.exitCode === null && worker.child.signalCode === null) this.alive.push(worker);
  }
}
