import type { Batch } from '../services/users/types.js';

const number = new Intl.NumberFormat('en-US');

/**
 * A one-line progress bar of a user-update batch on a terminal (rows finished of the total and
 * the outcomes so far); elsewhere (CI logs, pipes) a line whenever the finished count moves on.
 */
export class BatchProgress {
  private lastLine = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(batch: Batch): void {
    const c = batch.counts;
    const finished = c.done + c.failed + c.skipped;
    const total = batch.total ?? finished + c.pending;
    const share = total > 0 ? Math.min(finished / total, 1) : 0;
    const bar = '#'.repeat(Math.round(share * 24)).padEnd(24, '.');
    const text =
      `[${bar}] ${batch.status} · rows ${number.format(finished)}/${number.format(total)}` +
      ` · done ${number.format(c.done)} · failed ${number.format(c.failed)} · skipped ${number.format(c.skipped)}`;
    if (!this.stream.isTTY) {
      if (text !== this.lastLine) this.stream.write(`${batch.id}: ${text}\n`);
    } else {
      this.stream.write(`\r${text.padEnd(this.stream.columns ? this.stream.columns - 1 : 100)}`);
    }
    this.lastLine = text;
  }

  end(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
