import type { Run } from '../services/runs/types.js';

const number = new Intl.NumberFormat('en-US');

/**
 * A one-line progress bar for a terminal: users scanned and evaluated, the rate, and an ETA
 * once the total is known. Elsewhere (CI logs, pipes) it prints status changes only.
 */
export class RunProgress {
  private readonly startedAt = Date.now();
  private lastStatus = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(run: Run): void {
    const c = run.counters;
    if (!this.stream.isTTY) {
      if (run.status !== this.lastStatus) this.stream.write(`${run.id}: ${run.status}\n`);
      this.lastStatus = run.status;
      return;
    }
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const rate = c.evaluated / seconds;
    const total = c.total ?? c.scanned;
    const share = total > 0 ? Math.min(c.evaluated / total, 1) : 0;
    const width = 24;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    const eta =
      c.total !== null && rate > 0 ? ` · ETA ${formatDuration((c.total - c.evaluated) / rate)}` : '';
    const acted = c.actionsDone + c.actionsSkipped + c.actionsNotPossible + c.actionsFailed;
    const actions = run.mode === 'apply' && acted > 0 ? ` · actions ${number.format(acted)}` : '';
    const text =
      `[${bar}] ${run.status} · scanned ${number.format(c.scanned)} · evaluated ${number.format(c.evaluated)}` +
      `${c.total !== null ? `/${number.format(c.total)}` : ''} · ${number.format(Math.round(rate))}/s${eta}${actions}`;
    this.stream.write(`\r${text.padEnd(this.stream.columns ? this.stream.columns - 1 : 100)}`);
  }

  end(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
