/*
 * Writes what many callers submit together. While one write is in flight, what arrives waits
 * and goes in the next, so fifty evaluations finishing at once cost a handful of Redis round
 * trips, not fifty, and no caller waits longer than one write for its turn. Each caller gets
 * its own item's result, or the error of the write its item was in.
 */

interface Pending<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class GroupCommit<I, R> {
  private pending: Array<Pending<I, R>> = [];
  private writing = false;

  /**
   * @param write writes the items, in order, and returns one result per item, in order
   * @param maxBatch most items in one write (bounds one script's run on Redis)
   */
  constructor(
    private readonly write: (items: I[]) => Promise<R[]>,
    private readonly maxBatch = 100,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          const results = await this.write(batch.map((entry) => entry.item));
          if (results.length !== batch.length)
            throw new Error(`a group write returned ${results.length} result(s) for ${batch.length} item(s)`);
          batch.forEach((entry, i) => entry.resolve(results[i]!));
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
