/**
 * Signal quality: a verdict for every value, carried downstream with it instead of the value being dropped.
 * Stateful per (device, vital), causal (the current value is judged on the past only), O(1) per value.
 *
 * Rules; the worst verdict wins (good < questionable < artifact < sensor_off):
 * - Device flag: probe_off / lead_off → sensor_off; motion → artifact; low_perfusion / calibrating →
 *   questionable.
 * - Range end: a reading at the end of the catalogue's range where a sensor saturates (HR 350, ABP 300, temp 25 or
 *   45 °C, activity 16 g …) → questionable: the true value may lie beyond it (monitors show ">300").
 *   Not for SpO2 100 % or battery 100 %, which are true ends of the scale.
 * - Spike: |value − median of the last 3 accepted values| > max(spikeBase, spikeRel × that median) + spikeRate ×
 *   seconds since the last accepted value → artifact. The limits (VITAL_RULES) are several times the fastest
 *   credible physiological change, so a deterioration ramp is never flagged. A new level sustained for
 *   `confirmSamples` consistent values is accepted (arrhythmia onset, arrest): at most confirmSamples − 1 values
 *   of a true step are flagged.
 * - Level not established (stream start, after a drop-out, after sensor_off or calibrating): questionable until
 *   `settleSamples` consecutive values agree with each other within the spike limits (an oximeter re-acquires
 *   over its 8–16 s averaging window after a probe is re-attached).
 * - Drop-out: a gap in event time > gapFactor × the vital's learnt usual interval resets the level (above).
 * - Flat: exactly the same value for ≥ flatMs and ≥ flatMinSamples values → questionable (stuck sensor, frozen
 *   numeric). Only where the value varies beat to beat or breath to breath; never at a range end (SpO2 100 %,
 *   HR or RR 0 in asystole or apnoea are real flat lines). Paced rhythms and controlled ventilation also give
 *   legitimately flat HR / RR: set flatMs to Infinity for such beds' gateways if that matters.
 * Memory: one state per (device, vital); devices whose newest event time is evictAfterMs behind the newest seen
 * are forgotten (event time, not wall time: ingest keeps it within maxClockSkewMs of the gateway clock).
 */
import { VITAL_CODES, VITALS, type DeviceChannelFlag, type SampleQuality, type VitalCode } from '@vigil/contracts';

type Vitals = Partial<Record<VitalCode, number>>;
type Flags = Partial<Record<VitalCode, DeviceChannelFlag>>;
export type QualityVerdicts = Partial<Record<VitalCode, SampleQuality>>;

/** How one vital is judged. Units are the vital's own (catalogue `ucum`). */
export interface VitalRule {
  /** Jump from the recent level judged an artifact whatever the time elapsed, in the vital's unit (Infinity: off). */
  spikeBase: number;
  /** …or this fraction of the recent level, when larger (irregular rhythms scale with the rate). */
  spikeRel: number;
  /** Added per second elapsed since the last accepted value, vital's unit per s. */
  spikeRate: number;
  /** Identical values for at least this long are questionable, ms (Infinity: off). */
  flatMs: number;
  /** Drop-outs reset the level (continuous vitals only; an intermittent NIBP has no usual interval). */
  gap: boolean;
  /** A reading at the catalogue's plausible min / max means a saturated sensor. */
  rangeLow: boolean;
  rangeHigh: boolean;
}

const S = 1000;
const off = { spikeBase: Infinity, spikeRel: 0, spikeRate: 0, flatMs: Infinity, gap: false };
const pressure = (base: number, rate: number): VitalRule => ({ spikeBase: base, spikeRel: 0, spikeRate: rate, flatMs: 60 * S, gap: true, rangeLow: false, rangeHigh: true });

/**
 * Defaults, with the reason for each number.
 * - HR max(25 /min, 40 % of the level) + 3 /min/s: sinus HR rises by at most ~20–30 /min in the first 10 s of
 *   exertion (vagal withdrawal, phase I of HR kinetics) and monitors average 8–16 beats (IEC 60601-2-27
 *   §201.7.9.2.9.101 b); a deterioration ramp (+40 /min over 30 s) changes ~1.3 /min per s. In atrial fibrillation
 *   successive RR intervals differ by 25–40 % (RMSSD 150–250 ms at RR 600–800 ms), hence the relative part. Flat 60 s: numerics average ≤ 15 s, and beat-to-beat
 *   variability (Task Force of ESC/NASPE 1996) moves a 1 s integer HR within a minute; simulated sd 1–2 /min.
 * - SpO2 8 % + 1 %/s: apnoeic desaturation below 90 % runs ~0.75 %/s at most (Benumof 1997, Anesthesiology
 *   87:979, 90 %→0 % in ~2 min), deterioration 10 points / 60 s is 0.17 %/s; motion dips are 2–20 %. Flat 5 min:
 *   SpO2 is physiologically steady and averaged 8–16 s, so long identical runs happen (hence far longer than HR).
 * - RR 10 /min + 1 /min/s: impedance RR is averaged over ~15–30 s; flat 120 s (breath-to-breath variability of
 *   spontaneous breathing; ventilated patients: see header).
 * - ABP sys 30 / dia 20 / mean 20 mmHg + 3 / 2 / 2 mmHg/s: respiratory swing and ectopic beats move beat values by
 *   10–20 mmHg; flush (≈300 mmHg bag) and blood sampling give jumps of 50–250 mmHg. Flat 60 s: the respiratory
 *   swing (systolic pressure variation ≥ 5 mmHg) never leaves a working line identical for a minute.
 * - Temperature 0.5 °C + 0.02 °C/s (1.2 °C/min): core temperature moves ≤ 0.2 °C/min even in malignant
 *   hyperthermia or active cooling; skin 1 °C + 0.05 °C/s (faster exchange with the room). 0.1 °C resolution makes
 *   long identical runs normal: no flat rule.
 * - NIBP (intermittent, minutes apart), activity (spiky by nature, 0 at rest), battery (device metric): no spike,
 *   flat or drop-out rule.
 */
export const VITAL_RULES: Readonly<Record<VitalCode, VitalRule>> = {
  hr: { spikeBase: 25, spikeRel: 0.4, spikeRate: 3, flatMs: 60 * S, gap: true, rangeLow: false, rangeHigh: true },
  spo2: { spikeBase: 8, spikeRel: 0, spikeRate: 1, flatMs: 300 * S, gap: true, rangeLow: false, rangeHigh: false },
  rr: { spikeBase: 10, spikeRel: 0, spikeRate: 1, flatMs: 120 * S, gap: true, rangeLow: false, rangeHigh: true },
  abpSys: pressure(30, 3),
  abpDia: pressure(20, 2),
  abpMean: pressure(20, 2),
  nibpSys: { ...off, rangeLow: false, rangeHigh: true },
  nibpDia: { ...off, rangeLow: false, rangeHigh: true },
  nibpMean: { ...off, rangeLow: false, rangeHigh: true },
  temp: { spikeBase: 0.5, spikeRel: 0, spikeRate: 0.02, flatMs: Infinity, gap: true, rangeLow: true, rangeHigh: true },
  skinTemp: { spikeBase: 1, spikeRel: 0, spikeRate: 0.05, flatMs: Infinity, gap: true, rangeLow: true, rangeHigh: true },
  activity: { ...off, rangeLow: false, rangeHigh: true }, // 16 g: an accelerometer's full scale
  battery: { ...off, rangeLow: false, rangeHigh: false },
  sao2: { ...off, rangeLow: false, rangeHigh: false }, // arterial blood gas: intermittent, a lab result (imports only)
};

export interface SignalQualityOptions {
  /** Per-vital rules (merged over VITAL_RULES). */
  rules: Readonly<Record<VitalCode, VitalRule>>;
  /** Consistent values that make a jump a new level instead of a spike: 3, so a true step is flagged ≤ 2 times. */
  confirmSamples: number;
  /** Consistent values that establish the level after start or a drop-out: 3 (3 s on a 1 s monitor). */
  settleSamples: number;
  /** A gap longer than this many usual intervals is a drop-out: 5 (4 values lost in a row; one lost QoS 1
   *  message is a hiccup, not a re-attached sensor). */
  gapFactor: number;
  /** A flat run needs at least this many values as well as flatMs, so two values across a gap are no run: 10. */
  flatMinSamples: number;
  /** Forget a device whose newest event time is this far behind the newest seen, ms: 1 h (longer than most
   *  radio drop-outs, so a returning device keeps its learnt interval). */
  evictAfterMs: number;
  /** Hard bound on devices held; beyond it the longest-held device is dropped: 10,000. */
  maxDevices: number;
}

export type SignalQualityInput = Partial<Omit<SignalQualityOptions, 'rules'>> & { rules?: Partial<Record<VitalCode, Partial<VitalRule>>> };

export const defaultSignalQualityOptions: SignalQualityOptions = {
  rules: VITAL_RULES,
  confirmSamples: 3,
  settleSamples: 3,
  gapFactor: 5,
  flatMinSamples: 10,
  evictAfterMs: 3_600_000, // 1 h
  maxDevices: 10_000,
};

const GOOD = 0;
const QUESTIONABLE = 1;
const ARTIFACT = 2;
const SENSOR_OFF = 3;
const VERDICTS: readonly SampleQuality[] = ['good', 'questionable', 'artifact', 'sensor_off'];
const FLAG_RANK: Readonly<Record<DeviceChannelFlag, number>> = { ok: GOOD, probe_off: SENSOR_OFF, lead_off: SENSOR_OFF, motion: ARTIFACT, low_perfusion: QUESTIONABLE, calibrating: QUESTIONABLE };
/** Flags after which the level must be re-established: the sensor was off, or the transducer was re-zeroed. */
const INTERRUPTS: Readonly<Record<DeviceChannelFlag, boolean>> = { ok: false, probe_off: true, lead_off: true, motion: false, low_perfusion: false, calibrating: true };
const N = VITAL_CODES.length;

/** Largest credible change from `level`, `since` ms after it (no time allowance for a clock that stepped back). */
function limit(rule: VitalRule, level: number, since: number): number {
  const base = rule.spikeRel * Math.abs(level);
  return (base > rule.spikeBase ? base : rule.spikeBase) + rule.spikeRate * (since > 0 ? since / 1000 : 0);
}

/** State of one vital of one device: numbers only, updated in place. */
class Channel {
  lastT = NaN; // event time of the previous value (any verdict), ms
  interval = NaN; // learnt usual interval, ms
  v0 = 0; // the last three accepted values (ring), for the reference median
  v1 = 0;
  v2 = 0;
  ring = 0;
  level = 0; // consecutive consistent values since the level was reset (0: none)
  levelT = 0; // event time of the last accepted value
  cand = 0; // consecutive values agreeing on a new level
  candValue = 0;
  candT = 0;
  runValue = NaN; // current run of identical values
  runStart = 0;
  runCount = 0;

  push(x: number, t: number): void {
    if (this.ring === 0) this.v0 = x;
    else if (this.ring === 1) this.v1 = x;
    else this.v2 = x;
    this.ring = this.ring === 2 ? 0 : this.ring + 1;
    this.level++;
    this.levelT = t;
  }

  reset(x: number, t: number, established: number): void {
    this.v0 = this.v1 = this.v2 = x;
    this.ring = 0;
    this.level = established;
    this.levelT = t;
    this.cand = 0;
  }

  /** Median of the last three accepted values (the last one while fewer are held). */
  reference(last: number): number {
    if (this.level < 3) return last;
    const a = this.v0, b = this.v1, c = this.v2;
    return a > b ? (b > c ? b : a > c ? c : a) : a > c ? a : b > c ? c : b;
  }

  lastAccepted(): number {
    return this.ring === 0 ? this.v2 : this.ring === 1 ? this.v0 : this.v1;
  }
}

class DeviceState {
  lastT = -Infinity;
  count = 0;
  readonly channels: (Channel | undefined)[] = new Array<Channel | undefined>(N).fill(undefined);
}

export class SignalQualityAssessor {
  readonly options: SignalQualityOptions;
  readonly #rules: VitalRule[];
  readonly #min: number[];
  readonly #max: number[];
  readonly #devices = new Map<string, DeviceState>();
  #size = 0;
  #newest = -Infinity;
  #nextSweep = -Infinity;

  constructor(options: SignalQualityInput = {}) {
    const { rules, ...rest } = options;
    const merged = { ...VITAL_RULES } as Record<VitalCode, VitalRule>;
    for (const code of VITAL_CODES) if (rules?.[code]) merged[code] = { ...VITAL_RULES[code], ...rules[code] };
    this.options = { ...defaultSignalQualityOptions, ...rest, rules: merged };
    for (const k of ['confirmSamples', 'settleSamples', 'gapFactor', 'flatMinSamples', 'evictAfterMs', 'maxDevices'] as const) {
      if (!(this.options[k] >= 1)) throw new RangeError(`signal quality: ${k} must be ≥ 1, got ${this.options[k]}`);
    }
    this.#rules = VITAL_CODES.map((c) => merged[c]);
    this.#min = VITAL_CODES.map((c) => VITALS[c].plausible.min);
    this.#max = VITAL_CODES.map((c) => VITALS[c].plausible.max);
  }

  /** Judge one sample of one device (event time t, ms). Returns a verdict for every vital present in `vitals`. */
  assess(deviceId: string, t: number, vitals: Vitals, flags?: Flags): QualityVerdicts {
    const device = this.#device(deviceId, t);
    const out: QualityVerdicts = {};
    for (let i = 0; i < N; i++) {
      const code = VITAL_CODES[i]!;
      const x = vitals[code];
      if (x === undefined) continue;
      let channel = device.channels[i];
      if (!channel) {
        channel = device.channels[i] = new Channel();
        device.count++;
        this.#size++;
      }
      const flag = flags?.[code];
      out[code] = VERDICTS[this.#judge(channel, i, t, x, flag === undefined ? GOOD : FLAG_RANK[flag], flag !== undefined && INTERRUPTS[flag])]!;
    }
    return out;
  }

  /** Forget a device's state (new boot). */
  forget(deviceId: string): void {
    const device = this.#devices.get(deviceId);
    if (!device) return;
    this.#size -= device.count;
    this.#devices.delete(deviceId);
  }

  /** Number of (device, vital) states held. */
  get size(): number {
    return this.#size;
  }

  #device(deviceId: string, t: number): DeviceState {
    if (t > this.#newest) {
      this.#newest = t;
      if (t >= this.#nextSweep) {
        // A sweep every quarter of evictAfterMs of event time: O(devices), amortised to nothing per sample.
        this.#nextSweep = t + this.options.evictAfterMs / 4;
        const cutoff = t - this.options.evictAfterMs;
        for (const [id, d] of this.#devices) if (d.lastT < cutoff) this.forget(id);
      }
    }
    let device = this.#devices.get(deviceId);
    if (!device) {
      if (this.#devices.size >= this.options.maxDevices) this.forget(this.#devices.keys().next().value!);
      device = new DeviceState();
      this.#devices.set(deviceId, device);
    }
    if (t > device.lastT) device.lastT = t;
    return device;
  }

  #judge(c: Channel, i: number, t: number, x: number, flagRank: number, interrupts: boolean): number {
    if (!Number.isFinite(x)) return ARTIFACT; // ingest rejects these; never let one into the state
    const rule = this.#rules[i]!;
    const o = this.options;
    let rank = flagRank;
    const atMin = x <= this.#min[i]!;
    const atMax = x >= this.#max[i]!;
    if (((atMin && rule.rangeLow) || (atMax && rule.rangeHigh)) && rank < QUESTIONABLE) rank = QUESTIONABLE;

    // Drop-out: learn the usual interval from gaps that are not drop-outs (quick to shrink, slow to grow).
    const dt = t - c.lastT;
    if (dt > 0) {
      if (!(c.interval > 0)) c.interval = dt;
      else if (dt > o.gapFactor * c.interval) {
        if (rule.gap) c.level = 0;
      } else c.interval += (dt < c.interval ? 0.5 : 0.05) * (dt - c.interval);
    }
    c.lastT = t; // after a clock stepped back too: measure from here on (one reordered value costs nothing)

    // Flat line: identical values, away from the range ends.
    if (x === c.runValue) c.runCount++;
    else {
      c.runValue = x;
      c.runStart = t;
      c.runCount = 1;
    }
    if (!atMin && !atMax && c.runCount >= o.flatMinSamples && t - c.runStart >= rule.flatMs && rank < QUESTIONABLE) rank = QUESTIONABLE;

    if (rule.spikeBase === Infinity) return rank;
    if (flagRank !== GOOD) {
      // A flagged value never feeds the level; probe off and zeroing interrupt it (re-established afterwards).
      if (interrupts) c.level = 0;
      c.cand = 0;
      return rank;
    }

    if (c.level < o.settleSamples) {
      // Establishing the level: consecutive values must agree with each other.
      const last = c.lastAccepted();
      if (c.level > 0 && Math.abs(x - last) <= limit(rule, last, t - c.levelT)) c.push(x, t);
      else c.reset(x, t, 1);
      return c.level >= o.settleSamples ? rank : rank < QUESTIONABLE ? QUESTIONABLE : rank;
    }
    const ref = c.reference(c.lastAccepted());
    if (Math.abs(x - ref) <= limit(rule, ref, t - c.levelT)) {
      c.push(x, t);
      c.cand = 0;
      return rank;
    }
    // A jump: a spike, unless the next values confirm it as a new level.
    c.cand = c.cand > 0 && Math.abs(x - c.candValue) <= limit(rule, c.candValue, t - c.candT) ? c.cand + 1 : 1;
    c.candValue = x;
    c.candT = t;
    if (c.cand >= o.confirmSamples) {
      c.reset(x, t, o.settleSamples);
      return rank;
    }
    return ARTIFACT;
  }
}

/** Flags only, without state: the former stateless mapper, kept until ingest uses SignalQualityAssessor. */
export function assessQuality(vitals: Vitals, flags: Flags | undefined): QualityVerdicts {
  const quality: QualityVerdicts = {};
  for (const code of Object.keys(vitals) as VitalCode[]) {
    const flag = flags?.[code];
    quality[code] = flag ? VERDICTS[FLAG_RANK[flag]]! : 'good';
  }
  return quality;
}
