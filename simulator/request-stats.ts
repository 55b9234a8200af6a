/** Request counts by route and status, for tests that check what a client actually sent. */
export class RequestStats {
  total = 0;
  byRoute: Record<string, Record<string, number>> = {};

  record(route: string, status: string): void {
    this.total++;
    const statuses = (this.byRoute[route] ??= {});
    statuses[status] = (statuses[status] ?? 0) + 1;
  }

  reset(): void {
    this.total = 0;
    this.byRoute = {};
  }
}
