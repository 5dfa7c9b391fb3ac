/** A circuit breaker per destination (in memory, per process). */

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
