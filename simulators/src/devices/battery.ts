/**
 * A wearable's battery charge over time, planned from the start so that it honours the device's ground truth:
 * the charge falls below LOW_BATTERY_PERCENT exactly at each low_battery onset and reaches 0 exactly at death.
 *
 * - Normal use drains at `drainPerHour` (2–4 %/h: a 25–50 h patch).
 * - Staff recharge routinely (an instant top-up to 100 %, modelled without a reboot) when the charge reaches
 *   `rechargeAt` (> 20 %), so no low-battery episode happens that the ground truth does not record.
 * - Before a planned low-battery episode the last recharge is placed so that the charge reaches 20 % at its onset;
 *   when the episode is too close to the start or to the previous recharge, the drain rate of that stretch is
 *   adjusted instead (heavier use). A low episode ends with a recharge to 100 %, or with death at 0 %.
 */
export const LOW_BATTERY_PERCENT = 20;
const HOUR = 3_600_000;

export interface LowBatteryPhase {
  onset: number;
  offset: number;
  /** True when the phase ends with the device dying (charge 0 at `offset`). */
  dies: boolean;
}

export interface BatteryPlanOptions {
  start: number;
  drainPerHour: number; // %/h
  startLevel: number; // %, when no early low-battery phase dictates it
  rechargeAt: number; // %, routine recharge threshold
  low: readonly LowBatteryPhase[]; // sorted, non-overlapping
}

interface Segment {
  from: number;
  level: number; // % at `from`
  rate: number; // %/ms
  routine: boolean; // sawtooth with routine recharges
}

export interface BatteryPlan {
  /** Charge in % at time `t` (ms). */
  level(t: number): number;
}

export function createBatteryPlan(options: BatteryPlanOptions): BatteryPlan {
  const d = options.drainPerHour / HOUR;
  const full = 100;
  const low = LOW_BATTERY_PERCENT;
  const R = options.rechargeAt;
  const segments: Segment[] = [];
  let c = options.start;
  let x = options.startLevel;
  const first = options.low[0];
  // A device that starts close to its first low-battery episode starts partly discharged.
  if (first && first.onset - 1 - c <= (full - low) / d) x = low + d * (first.onset - 1 - c);
  for (const phase of options.low) {
    const a = phase.onset - 1; // the charge is below 20 % from the onset on
    const r = a - (full - low) / d;
    if (r > c) {
      segments.push({ from: c, level: x, rate: d, routine: true });
      segments.push({ from: r, level: full, rate: d, routine: false });
    } else {
      segments.push({ from: c, level: x, rate: Math.max(0, x - low) / Math.max(1, a - c), routine: false });
    }
    const span = Math.max(1, phase.offset - a);
    segments.push({ from: a, level: low, rate: phase.dies ? low / span : Math.min(d, (low - 1) / span), routine: false });
    c = phase.offset;
    x = phase.dies ? 0 : full;
    if (phase.dies) break;
  }
  segments.push({ from: c, level: x, rate: x === 0 ? 0 : d, routine: x !== 0 });

  const at = (s: Segment, t: number): number => {
    if (!s.routine) return Math.max(0, s.level - s.rate * (t - s.from));
    const hit = s.from + Math.max(0, s.level - R) / s.rate;
    if (t < hit) return s.level - s.rate * (t - s.from);
    return full - s.rate * ((t - hit) % ((full - R) / s.rate));
  };

  let i = 0;
  return {
    level(t) {
      if (i > 0 && t < segments[i]!.from) i = 0;
      while (i + 1 < segments.length && segments[i + 1]!.from <= t) i++;
      return at(segments[i]!, t);
    },
  };
}
