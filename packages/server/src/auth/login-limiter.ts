import { FlagwardError } from '@flagward/core';

/**
 * Limits failed logins per (client address, email) with a sliding window, so guessing a password is
 * slow while a legitimate user on another address is unaffected.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60 * 1000,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.clock().getTime() - this.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  /** Throws `rate-limited` once the budget of failures is spent. */
  assertAllowed(ip: string | undefined, email: string): void {
    const attempts = this.recent(`${ip ?? '-'}|${email}`);
    if (attempts.length >= this.maxFailures) {
      const retryAfterSeconds = Math.ceil((attempts[0]! + this.windowMs - this.clock().getTime()) / 1000);
      throw new FlagwardError('rate-limited', 'too many failed sign-in attempts; try again later', {
        details: { retryAfterSeconds },
      });
    }
  }

  recordFailure(ip: string | undefined, email: string): void {
    const key = `${ip ?? '-'}|${email}`;
    this.failures.set(key, [...this.recent(key), this.clock().getTime()]);
  }

  recordSuccess(ip: string | undefined, email: string): void {
    this.failures.delete(`${ip ?? '-'}|${email}`);
  }
}
