/**
 * Failure counters with growing delays (per client address and per identifier) and a circuit
 * breaker per destination. Both are in memory, per process.
 */

export class FailurePenalties {
  private counts = new Map<string, { n: number; last: number }>();

  constructor(
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  private get(key: string): number {
    const e = this.counts.get(key);
    if (!e) return 0;
    if (this.now() - e.last > this.windowMs) {
      this.counts.delete(key);
      return 0;
    }
    return e.n;
  }

  /** Records a failed login; returns how long to wait before answering it. */
  fail(keys: readonly string[]): number {
    let worst = 0;
    for (const k of keys) {
      const n = this.get(k) + 1;
      if (!this.counts.has(k) && this.counts.size >= this.maxKeys)
        this.counts.delete(this.counts.keys().next().value!);
      this.counts.delete(k);
      this.counts.set(k, { n, last: this.now() });
      worst = Math.max(worst, n);
    }
    if (worst === 0 || this.baseDelayMs === 0) return 0;
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(worst - 1, 20));
  }

  /** A successful login clears the identifier's counter (the address keeps its own). */
  succeed(key: string): void {
    this.counts.delete(key);
  }

  failures(key: string): number {
    return this.get(key);
  }
}

/**
 * Consecutive connection failures (refused, timed out, TLS, closed before the greeting) open
 * the breaker for a cool-down. Authentication failures are not counted: one client's wrong
 * password must not take a destination down.
 */
export class CircuitBreaker {
  private consecutive = 0;
  /** When the breaker last opened until; after it, the next attempt is a trial (half-open). */
  private openUntil = 0;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get isOpen(): boolean {
    return this.now() < this.openUntil;
  }

  success(): void {
    this.consecutive = 0;
    this.openUntil = 0;
  }

  failure(): void {
    this.consecutive++;
    // A failed trial after the cool-down opens the breaker again at once.
    if (this.consecutive >= this.threshold || this.openUntil !== 0) {
      this.openUntil = this.now() + this.cooldownMs;
      this.consecutive = 0;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}
