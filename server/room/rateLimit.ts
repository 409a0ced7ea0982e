import { settings, type SettingsSource } from "../config";

/**
 * A token bucket per connection: `burst` frames at once, refilled at
 * `perSecond`. Kept in memory on purpose: an eviction only happens after
 * about ten idle seconds, by which time every bucket would be full again, so
 * losing the map on hibernation loses nothing.
 */
export class RateLimiter {
  /** From the validated settings (throws ConfigError when they are not valid). */
  static fromEnv(env: SettingsSource): RateLimiter {
    const s = settings(env);
    return new RateLimiter(s.RATE_LIMIT_PER_SECOND, s.RATE_LIMIT_BURST);
  }

  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes one token; false when the connection is over its rate. */
  take(key: string, now: number): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return allowed;
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }
}
