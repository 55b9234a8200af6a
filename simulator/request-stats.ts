/** Request counts by route and status, for tests that check what a client actually sent. */
export class RequestStats {
  total = 0;
  byRoute: Record<string, Record<string, number>> = {};
  /**
   * Requests by the whole second (Unix time, in seconds) they arrived in, for tests of a
   * client's ceiling of requests per second.
   */
  perSecond: Record<string, number> = {};

  record(route: string, status: string, arrivedAtMs: number): void {
    this.total++;
    const statuses = (this.byRoute[route] ??= {});
    statuses[status] = (statuses[status] ?? 0) + 1;
    const second = String(Math.floor(arrivedAtMs / 1000));
    this.perSecond[second] = (this.perSecond[second] ?? 0) + 1;
  }

  reset(): void {
    this.total = 0;
    this.byRoute = {};
    this.perSecond = {};
  }
}
