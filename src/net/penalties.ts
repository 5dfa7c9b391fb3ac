/**
 * Failure counters with growing delays, per key (a client address, a login identifier): each
 * failure within the window doubles the delay before the answer, up to a maximum. In memory,
 * per process. Used by the proxy and by sievert's own servers.
 */

/**
 * Waits out a failure delay. The timer does not keep the process alive: a server shutting down
 * need not wait for a penalised client.
 */
export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms).unref());
}

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
