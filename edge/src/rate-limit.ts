/**
 * Per-device message rate limit (token bucket). A device at 1 Hz numerics plus waveform chunks sends a few messages
 * per second; after a reconnect it resends its buffered backlog at once, which the burst allowance absorbs. A device
 * that exceeds both is misbehaving or hostile, and must not starve the ward's other devices.
 */
export interface RateLimitOptions {
  /** Sustained messages per second per device. */
  perSecond: number;
  /** Bucket size: messages a device may send at once (its reconnect backlog). */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class DeviceRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #options: RateLimitOptions;
  readonly #now: () => number;

  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
  }

  /** Take one token; false when the device is over its limit. */
  take(deviceId: string): boolean {
    const now = this.#now();
    let bucket = this.#buckets.get(deviceId);
    if (!bucket) {
      bucket = { tokens: this.#options.burst, at: now };
      this.#buckets.set(deviceId, bucket);
    }
    bucket.tokens = Math.min(this.#options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#options.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** A disconnected device's bucket refills anyway; drop it to keep memory bounded by connected devices. */
  forget(deviceId: string): void {
    this.#buckets.delete(deviceId);
  }
}
