import { describe, expect, it } from 'vitest';
import type { Alarm } from '@vigil/contracts';
import { isAudible, nextPauseExpiry, pauseSecondsLeft, soundingPriority, TONE_PATTERNS } from '../../app/ward/[wardId]/alarm-tones.ts';

const NOW = 1_700_000_000_000;
function alarm(overrides: Partial<Alarm>): Alarm {
  return {
    id: 'a1',
    wardId: 'ward-a',
    bedId: 'bed-01',
    patientId: 'pt-1',
    priority: 'medium',
    kind: 'physiological',
    source: 'limit-rule',
    code: 'HR_HIGH',
    state: 'active',
    latching: false,
    message: 'Heart rate high',
    onsetAt: NOW - 20_000,
    raisedAt: NOW - 10_000,
    updatedAt: NOW - 10_000,
    endedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    evidence: {},
    ...overrides,
  };
}

describe('alarm tones (IEC 60601-1-8 patterns)', () => {
  it('high priority is a 10-pulse burst x-x-x--x-x twice; medium 3 pulses; low 2', () => {
    expect(TONE_PATTERNS.high.pulses).toHaveLength(10);
    expect(TONE_PATTERNS.medium.pulses).toHaveLength(3);
    expect(TONE_PATTERNS.low.pulses).toHaveLength(2);
    const gaps = TONE_PATTERNS.high.pulses.slice(1).map((p, i) => p.at - TONE_PATTERNS.high.pulses[i]!.at - TONE_PATTERNS.high.pulses[i]!.ms);
    // x-x-x--x-x: the 4th pulse follows a longer gap; the second half follows the pause between halves.
    expect(gaps[0]).toBe(gaps[1]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]!);
    expect(gaps[4]).toBeGreaterThan(gaps[2]!);
    expect(gaps.slice(5)).toEqual(gaps.slice(0, 4));
  });

  it('pulse timing and repetition stay within the standard\u2019s ranges', () => {
    for (const p of TONE_PATTERNS.high.pulses) expect(p.ms).toBeGreaterThanOrEqual(75), expect(p.ms).toBeLessThanOrEqual(200);
    for (const p of [...TONE_PATTERNS.medium.pulses, ...TONE_PATTERNS.low.pulses]) expect(p.ms).toBeGreaterThanOrEqual(125), expect(p.ms).toBeLessThanOrEqual(250);
    expect(TONE_PATTERNS.high.repeatMs).toBeGreaterThanOrEqual(2_500);
    expect(TONE_PATTERNS.high.repeatMs).toBeLessThanOrEqual(15_000);
    expect(TONE_PATTERNS.medium.repeatMs).toBeLessThanOrEqual(30_000);
    expect(TONE_PATTERNS.low.repeatMs).toBeGreaterThan(15_000);
    for (const p of Object.values(TONE_PATTERNS)) expect(p.hz).toBeGreaterThanOrEqual(150), expect(p.hz).toBeLessThanOrEqual(1000);
  });

  it('sounds the highest audible priority; acknowledged, ended and paused alarms are silent until the pause runs out', () => {
    const high = alarm({ id: 'h', priority: 'high', audioPausedUntil: NOW + 5_000 });
    const medium = alarm({ id: 'm', priority: 'medium' });
    const low = alarm({ id: 'l', priority: 'low', state: 'latched' });
    expect(soundingPriority([low, medium, high], NOW)).toBe('medium');
    expect(soundingPriority([low, high], NOW)).toBe('low');
    expect(soundingPriority([low, high], NOW + 5_000)).toBe('high');
    expect(isAudible(alarm({ state: 'acknowledged' }), NOW)).toBe(false);
    expect(isAudible(alarm({ state: 'ended' }), NOW)).toBe(false);
    expect(soundingPriority([], NOW)).toBeNull();
  });

  it('counts the pause down in whole seconds and finds the next expiry', () => {
    const paused = alarm({ audioPausedUntil: NOW + 4_200 });
    expect(pauseSecondsLeft(paused, NOW)).toBe(5);
    expect(pauseSecondsLeft(paused, NOW + 4_200)).toBeNull();
    expect(pauseSecondsLeft(alarm({}), NOW)).toBeNull();
    expect(nextPauseExpiry([paused, alarm({ id: 'b', audioPausedUntil: NOW + 1_000 }), alarm({ id: 'c', audioPausedUntil: NOW - 1 })], NOW)).toBe(NOW + 1_000);
    expect(nextPauseExpiry([alarm({})], NOW)).toBeNull();
  });
});
