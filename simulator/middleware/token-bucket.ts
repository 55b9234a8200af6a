/**
 * Jira DC's rate limiter: a bucket of `capacity` tokens refilled at `fillRate` tokens per
 * second; a request takes one token or is refused with 429.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefill: number;

  constructor(
    readonly capacity: number,
    readonly fillRate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.lastRefill = now();
  }

  /** Takes a token; returns the whole seconds to wait when there is none. */
  take(): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.fillRate)) };
  }

  get remaining(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  refillCompletely(): void {
    this.tokens = this.capacity;
    this.lastRefill = this.now();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.lastRefill) / 1000) * this.fillRate);
    this.lastRefill = now;
  }
}
