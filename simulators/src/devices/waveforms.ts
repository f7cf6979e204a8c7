/**
 * Synthetic waveforms: ECG (lead II, µV, 250 Hz) and pleth (PPG, 12-bit ADC units 0–4095, 125 Hz), rendered in 1 s
 * chunks from a common train of beats.
 *
 * Beats: the RR interval is 60/HR, modulated ±4 % by the breathing phase (respiratory sinus arrhythmia) and by a
 * 1 % beat-to-beat jitter. Each beat adds a template into a ring buffer a little ahead of time; a chunk reads and
 * clears its slots, then adds baseline wander and noise.
 * - ECG: a sum of Gaussians per beat (P, Q, R, S, T), after McSharry et al. 2003, "A dynamical model for generating
 *   synthetic electrocardiogram signals", IEEE TBME 50:289 (ECGSYN), written directly in time rather than as the
 *   ODE; the T wave moves with √RR (Bazett) while PR and QRS stay fixed.
 * - Pleth: a systolic and a dicrotic Gaussian per beat, 200 ms after the R wave (pulse transit time); amplitude
 *   follows the pulse pressure as a stand-in for perfusion.
 * Templates are cached per RR interval rounded to 10 ms, so a day of both waveforms costs well under a second.
 */
import type { TrueState } from '../model.ts';
import type { Rng } from '../rng.ts';

export const ECG_HZ = 250;
export const PLETH_HZ = 125;

/** [offset from the R wave (s), amplitude (µV), width σ (s)]; the T wave's offset and width scale with √RR. */
const ECG_WAVES: readonly (readonly [number, number, number])[] = [
  [-0.16, 150, 0.022], // P
  [-0.035, -120, 0.01], // Q
  [0, 1200, 0.011], // R
  [0.035, -250, 0.011], // S
  [0.3, 300, 0.045], // T (at RR = 1 s)
];
const PLETH_WAVES: readonly (readonly [number, number, number])[] = [
  [0.13, 1, 0.055], // systolic peak, from the pulse foot
  [0.33, 0.4, 0.07], // dicrotic wave
];
const PRE_S = 0.3; // template extent before the R wave
const TRANSIT_S = 0.2; // R wave → pulse foot at the finger
const RING = 4096; // samples per ring buffer (16 s of ECG), a power of two
const MASK = RING - 1;
const NOISE_TABLE = 65_536; // normal deviates, a power of two
const NOISE_MASK = NOISE_TABLE - 1;

export interface WaveChunk {
  /** Event time of the first value, ms. */
  t: number;
  values: number[];
}

export interface WaveformSynth {
  /**
   * Render the second ending at `end` (a whole number of seconds after `start`) from the state at `end`; `motion`
   * (0–1) adds motion noise to the pleth (the optical channel; the ECG is left clean).
   */
  render(end: number, state: TrueState, motion: number): { ecg?: WaveChunk; pleth?: WaveChunk };
}

function template(waves: typeof ECG_WAVES, hz: number, rrScale: number, scaleLast: boolean, pre: number): Float64Array {
  const last = waves.length - 1;
  let post = 0;
  for (let w = 0; w <= last; w++) {
    const [mu, , sd] = waves[w]!;
    const k = scaleLast && w < last ? 1 : rrScale;
    post = Math.max(post, (mu + 4 * sd) * k);
  }
  const n = Math.ceil((pre + post) * hz) + 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = i / hz - pre;
    let v = 0;
    for (let w = 0; w <= last; w++) {
      const [mu0, a, sd0] = waves[w]!;
      const k = scaleLast && w < last ? 1 : rrScale;
      const z = (s - mu0 * k) / (sd0 * k);
      v += a * Math.exp(-0.5 * z * z);
    }
    out[i] = v;
  }
  return out;
}

export function createWaveformSynth(options: { start: number; rng: Rng; ecg: boolean; pleth: boolean }): WaveformSynth {
  const { start, rng } = options;
  const ecgRing = new Float64Array(RING);
  const plethRing = new Float64Array(RING);
  const ecgTemplates = new Map<number, Float64Array>();
  const plethTemplates = new Map<number, Float64Array>();
  const preEcg = Math.round(PRE_S * ECG_HZ);
  let nextBeat: number | undefined; // ms
  let ecgDone = 0; // first sample index not yet emitted
  let plethDone = 0;

  const add = (ring: Float64Array, tpl: Float64Array, first: number, done: number, gain: number) => {
    for (let i = 0; i < tpl.length; i++) {
      const idx = first + i;
      if (idx >= done) ring[idx & MASK]! += gain * tpl[i]!;
    }
  };

  function beat(tb: number, rrS: number, state: TrueState): void {
    const key = Math.max(20, Math.min(1200, Math.round(rrS * 100)));
    const scale = Math.sqrt(key / 100);
    if (options.ecg) {
      let tpl = ecgTemplates.get(key);
      if (!tpl) ecgTemplates.set(key, (tpl = template(ECG_WAVES, ECG_HZ, scale, true, PRE_S)));
      add(ecgRing, tpl, Math.round(((tb - start) * ECG_HZ) / 1000) - preEcg, ecgDone, 1);
    }
    if (options.pleth) {
      let tpl = plethTemplates.get(key);
      if (!tpl) plethTemplates.set(key, (tpl = template(PLETH_WAVES, PLETH_HZ, Math.min(1, scale), false, 0)));
      const gain = 1800 * Math.min(1.4, Math.max(0.1, (state.sbp - state.dbp) / 45));
      add(plethRing, tpl, Math.round(((tb + TRANSIT_S * 1000 - start) * PLETH_HZ) / 1000), plethDone, gain);
    }
  }

  // Sensor noise from a table of normal deviates read at a random offset per chunk: one draw per chunk instead of
  // one per sample (the table is long enough that no two chunks look alike to the eye or to a detector).
  const table = new Float64Array(NOISE_TABLE);
  for (let i = 0; i < NOISE_TABLE; i++) table[i] = rng.normal();

  /** Read and clear one chunk; `base` is the baseline at the first sample, rotated by the breathing frequency. */
  function read(ring: Float64Array, hz: number, end: number, base: { level: number; swing: number; phase: number; hzBreath: number }, noise: number, lo: number, hi: number, done: number): WaveChunk {
    const last = Math.round(((end - start) * hz) / 1000);
    const first = Math.max(done, last - hz);
    const values = new Array<number>(last - first);
    let n = Math.floor(rng.next() * NOISE_TABLE);
    // sin(φ + kδ) by rotation: two multiplications per sample instead of Math.sin.
    const delta = (2 * Math.PI * base.hzBreath) / hz;
    const cd = Math.cos(delta), sd = Math.sin(delta);
    let sn = Math.sin(2 * Math.PI * base.phase), cs = Math.cos(2 * Math.PI * base.phase);
    for (let i = first; i < last; i++) {
      const slot = i & MASK;
      const v = Math.round(ring[slot]! + base.level + base.swing * sn + noise * table[n++ & NOISE_MASK]!);
      ring[slot] = 0;
      values[i - first] = v < lo ? lo : v > hi ? hi : v;
      const s2 = sn * cd + cs * sd;
      cs = cs * cd - sn * sd;
      sn = s2;
    }
    return { t: start + Math.round((first * 1000) / hz), values };
  }

  return {
    render(end, state, motion) {
      const breathHz = state.rr / 60;
      const phaseAt = (ms: number) => state.breathPhase - (breathHz * (end - ms)) / 1000;
      // Schedule the beats whose templates reach into this chunk, from the current state.
      const horizon = end + PRE_S * 1000;
      if (state.hr < 5) nextBeat = Math.max(nextBeat ?? start, horizon); // asystole: no beats
      else {
        const rr0 = 60 / state.hr;
        if (nextBeat === undefined) nextBeat = start + rng.next() * rr0 * 1000;
        while (nextBeat < horizon) {
          const rrS = rr0 * (1 + 0.04 * Math.sin(2 * Math.PI * phaseAt(nextBeat))) * (1 + rng.normal(0, 0.01));
          beat(nextBeat, rrS, state);
          nextBeat += rrS * 1000;
        }
      }
      const out: { ecg?: WaveChunk; pleth?: WaveChunk } = {};
      const tEnd = end - start;
      const phase0 = phaseAt(end - 1000);
      if (options.ecg) {
        // Baseline wander with breathing, 40 µV; electrode noise 10 µV.
        out.ecg = read(ecgRing, ECG_HZ, end, { level: 0, swing: 40, phase: phase0, hzBreath: breathHz }, 10, -100_000, 100_000, ecgDone);
        ecgDone = Math.round((tEnd * ECG_HZ) / 1000);
      }
      if (options.pleth) {
        // Respiratory baseline modulation ±60; motion swamps the pulse.
        out.pleth = read(plethRing, PLETH_HZ, end, { level: 1000, swing: 60, phase: phase0, hzBreath: breathHz }, 4 + 400 * motion, 0, 4095, plethDone);
        plethDone = Math.round((tEnd * PLETH_HZ) / 1000);
      }
      return out;
    },
  };
}
