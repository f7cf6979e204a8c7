/** The replay clock on an injected wall clock: speed, the cap at the awaited message, pause, speed change, cancel. */
import { describe, expect, it } from 'vitest';
import { ReplayCancelled, VirtualClock } from '../../src/replay/virtual-clock.ts';

describe('VirtualClock', () => {
  it('runs at speed × wall time from its start, never past the message it waits for', async () => {
    let wall = 1_000;
    const clock = new VirtualClock({ start: 50_000, speed: 60, wallNow: () => wall });
    expect(clock.now()).toBe(50_000);
    const waiting = clock.waitUntil(56_000); // 6 s of session = 100 ms of wall at ×60
    wall += 50;
    expect(clock.now()).toBe(53_000);
    wall += 500; // well past: the clock stops at the awaited time
    expect(clock.now()).toBe(56_000);
    await waiting;
    expect(clock.now()).toBe(56_000);
  });

  it('holds while paused and goes on from the same time after resume', async () => {
    let wall = 0;
    const clock = new VirtualClock({ start: 0, speed: 1, wallNow: () => wall });
    const waiting = clock.waitUntil(10_000);
    wall = 4_000;
    clock.pause();
    wall = 60_000;
    expect(clock.now()).toBe(4_000);
    clock.resume();
    wall = 66_000;
    expect(clock.now()).toBe(10_000);
    await waiting;
  });

  it('at max jumps to each awaited time at once; a speed change re-anchors; cancel rejects a wait', async () => {
    let wall = 0;
    const clock = new VirtualClock({ start: 0, speed: 'max', wallNow: () => wall });
    await clock.waitUntil(3_600_000);
    expect(clock.now()).toBe(3_600_000);
    clock.setSpeed(2);
    const waiting = clock.waitUntil(3_700_000);
    wall = 10_000;
    expect(clock.now()).toBe(3_620_000);
    clock.cancel(new ReplayCancelled());
    await expect(waiting).rejects.toBeInstanceOf(ReplayCancelled);
  });
});
