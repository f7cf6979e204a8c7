import { describe, it, expect } from 'vitest';
import { DeviceRateLimiter } from '../src/rate-limit.ts';

describe('DeviceRateLimiter', () => {
  it('allows a burst, then the sustained rate, per device', () => {
    let now = 0;
    const limiter = new DeviceRateLimiter({ perSecond: 10, burst: 5 }, () => now);
    const burst = Array.from({ length: 7 }, () => limiter.take('a'));
    expect(burst).toEqual([true, true, true, true, true, false, false]);
    // Another device has its own bucket.
    expect(limiter.take('b')).toBe(true);
    now += 100; // 0.1 s at 10/s refills one token
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    now += 10_000; // refills up to the burst, not beyond
    expect(Array.from({ length: 6 }, () => limiter.take('a')).filter(Boolean)).toHaveLength(5);
  });

  it('forget resets a device', () => {
    const limiter = new DeviceRateLimiter({ perSecond: 1, burst: 1 }, () => 0);
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    limiter.forget('a');
    expect(limiter.take('a')).toBe(true);
  });
});
