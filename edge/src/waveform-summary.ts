/**
 * Waveform summaries at the edge: per (device, kind), event-time windows of the same size as the numerics windows
 * (aligned to multiples of windowMs since the epoch), each summarised as count vs expected values, min, max, mean
 * and a flat-line flag (UplinkWaveSummary). Raw chunks stay at the edge (WaveformForwarder decides when they go up).
 *
 * Timing. Value i of a chunk has event time t + i·1000/hz, so a chunk that straddles a window boundary is split.
 * One device's chunks arrive in order (one MQTT session, one topic: [MQTT-4.6.0-5]); a window is emitted as soon as
 * its last slot has been seen or a value of a later window arrives. Values for a window already emitted are
 * counted as late (stats().lateValues) and left out. Chunks that never came show as count < expected; a whole
 * window without values between two received ones is emitted with count 0 (and min = max = mean = 0, which mean
 * nothing), up to maxGapWindows in a row; a longer silence ends the stream, and the next chunk starts a new one.
 *
 * Expected. The number of sample slots (spaced 1000/hz ms, in the phase of the device's latest chunk) the window
 * covers; pro-rated at the start of a stream and at its end (flush, idle, new boot), where the window is covered
 * only from the first value or up to the last one.
 *
 * Flat line. max − min ≤ flatThreshold[kind] over the window (at least 2 values). Lead off and probe off show as a
 * flat line on monitors that keep streaming. Defaults: ECG 40 µV, under the smallest deflection a lead II trace
 * shows (a P wave is 50–250 µV, half a small box at 10 mm/mV is 50 µV), so any beat in the window clears it; pleth
 * 16 units of the 12-bit 0–4095 scale (0.4 % of full scale, a few ADC LSB of noise), far below an auto-gained
 * pulse. Note: asystole with a perfectly clean baseline is flat too; `flat` describes the signal, not its cause.
 *
 * Cost: O(1) per value (a tight min/max/sum loop over each chunk segment); one state object per (device, kind);
 * a (device, kind) idle for evictAfterMs is forgotten.
 */
import type { DeviceType, UplinkWaveSummary, WaveformChunk, WaveformKind } from '@vigil/contracts';

export interface WaveformSummarizerOptions {
  /** Window size, ms (use the numerics window size). */
  windowMs?: number;
  /** A window is flat when max − min ≤ this, in the kind's units (ECG µV, pleth ADC units). */
  flatThreshold?: Partial<Record<WaveformKind, number>>;
  /** Count-0 summaries emitted for silent windows between two chunks, at most. */
  maxGapWindows?: number;
  /** Wall time without chunks after the open window's end before advance() closes it, ms. */
  idleGraceMs?: number;
  /** Forget a (device, kind) idle this long (wall time), ms. */
  evictAfterMs?: number;
}

export const WAVEFORM_SUMMARY_DEFAULTS = {
  windowMs: 1000, // 1 s
  flatThreshold: { ecg: 40, pleth: 16 } as Record<WaveformKind, number>, // µV; 12-bit ADC units (see above)
  maxGapWindows: 5, // 5 s of lost chunks reported as count 0; longer is a stopped stream
  idleGraceMs: 2000, // 2 s, the numerics' allowed out-of-orderness
  evictAfterMs: 600_000, // 10 min
};

/** Where a device sits; bootId comes from each chunk. */
export interface DevicePlacement {
  patientId: string;
  bedId: string;
  deviceId: string;
  deviceType: DeviceType;
}

export interface WaveformSummarizerStats {
  streams: number;
  summaries: number;
  lateValues: number;
}

const NONE: readonly UplinkWaveSummary[] = Object.freeze([]);
const EPS = 1e-6;

interface Stream {
  placement: DevicePlacement;
  bootId: string;
  kind: WaveformKind;
  hz: number;
  /** Event time of the latest chunk's first value: the phase of the sample slots. */
  phase: number;
  /** Event time of the stream's first value (expected is pro-rated from it). */
  streamStart: number;
  lastValueT: number;
  open: boolean;
  start: number;
  /** End of the last emitted window; values before it are late. */
  closedUpTo: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  touched: boolean;
  lastActive: number;
}

export class WaveformSummarizer {
  readonly windowMs: number;
  private readonly flat: Record<WaveformKind, number>;
  private readonly maxGap: number;
  private readonly idleGraceMs: number;
  private readonly evictAfterMs: number;
  private readonly streams = new Map<string, Stream>();
  private readonly counters = { summaries: 0, lateValues: 0 };

  constructor(options: WaveformSummarizerOptions = {}) {
    const d = WAVEFORM_SUMMARY_DEFAULTS;
    this.windowMs = options.windowMs ?? d.windowMs;
    if (!(Number.isInteger(this.windowMs) && this.windowMs > 0)) throw new RangeError('windowMs must be a positive integer');
    this.flat = { ...d.flatThreshold, ...options.flatThreshold };
    this.maxGap = options.maxGapWindows ?? d.maxGapWindows;
    this.idleGraceMs = options.idleGraceMs ?? d.idleGraceMs;
    this.evictAfterMs = options.evictAfterMs ?? d.evictAfterMs;
  }

  /** Add one chunk of a device; returns the summaries of the windows it completes (often one, sometimes none). */
  add(placement: DevicePlacement, chunk: WaveformChunk): readonly UplinkWaveSummary[] {
    const key = `${placement.deviceId}\u0000${chunk.kind}`;
    let s = this.streams.get(key);
    let out: UplinkWaveSummary[] | undefined;
    if (s && (s.bootId !== chunk.bootId || s.hz !== chunk.hz)) {
      // A new boot (or a new rate) is a new stream: end the old one where its values ended.
      if (s.open) this.close(s, true, (out = []));
      this.streams.delete(key);
      s = undefined;
    }
    if (!s) {
      s = {
        placement, bootId: chunk.bootId, kind: chunk.kind, hz: chunk.hz, phase: chunk.t, streamStart: NaN, lastValueT: NaN,
        open: false, start: 0, closedUpTo: -Infinity, count: 0, sum: 0, min: 0, max: 0, touched: true, lastActive: 0,
      };
      this.streams.set(key, s);
    }
    s.placement = placement;
    s.touched = true;
    if (!(chunk.t < s.lastValueT)) s.phase = chunk.t; // a late chunk does not move the slot grid

    const W = this.windowMs;
    const hz = chunk.hz;
    const t0 = chunk.t;
    const values = chunk.values;
    const n = values.length;
    let i = 0;
    while (i < n) {
      const ti = t0 + (i * 1000) / hz;
      const ws = Math.floor(ti / W) * W;
      // First index at or past the window's end: value i is in [ws, ws + W) iff i < (ws + W − t0)·hz/1000.
      let j = Math.ceil(((ws + W - t0) * hz) / 1000 - EPS);
      if (j <= i) j = i + 1;
      if (j > n) j = n;
      if (ws < (s.open ? s.start : s.closedUpTo)) {
        this.counters.lateValues += j - i;
        i = j;
        continue;
      }
      if (!s.open || ws > s.start) {
        if (s.open) this.close(s, false, (out ??= []));
        const gaps = Number.isFinite(s.closedUpTo) ? (ws - s.closedUpTo) / W : Infinity;
        if (gaps > this.maxGap) s.streamStart = ti; // a new stream (first chunk, or after a long silence)
        else for (let g = s.closedUpTo; g < ws; g += W) this.emit(s, g, 0, 0, 0, 0, 0, (out ??= []));
        s.open = true;
        s.start = ws;
        s.count = 0;
        s.sum = 0;
        s.min = Infinity;
        s.max = -Infinity;
      }
      let sum = 0, min = s.min, max = s.max;
      for (let k = i; k < j; k++) {
        const v = values[k]!;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      s.sum += sum;
      s.min = min;
      s.max = max;
      s.count += j - i;
      s.lastValueT = t0 + ((j - 1) * 1000) / hz;
      i = j;
    }
    // Emit at once when the window's last slot has been seen.
    if (s.open && s.lastValueT + 1000 / hz >= s.start + W - EPS) this.close(s, false, (out ??= []));
    return out ?? NONE;
  }

  /** Processing-time housekeeping at wall time `now` (ms): close windows of streams gone quiet, forget old ones. */
  advance(now: number): UplinkWaveSummary[] {
    const out: UplinkWaveSummary[] = [];
    for (const [key, s] of this.streams) {
      if (s.touched) {
        s.touched = false;
        s.lastActive = now;
      } else if (s.open && now - s.lastActive > this.windowMs + this.idleGraceMs) {
        this.close(s, true, out);
        s.closedUpTo = -Infinity; // the next chunk starts a new stream
      } else if (now - s.lastActive > this.evictAfterMs) this.streams.delete(key);
    }
    return out;
  }

  /** Close every open window (shutdown), pro-rated to the last value received. */
  flush(): UplinkWaveSummary[] {
    const out: UplinkWaveSummary[] = [];
    for (const s of this.streams.values()) if (s.open) this.close(s, true, out);
    return out;
  }

  stats(): WaveformSummarizerStats {
    return { streams: this.streams.size, ...this.counters };
  }

  private close(s: Stream, atLastValue: boolean, out: UplinkWaveSummary[]): void {
    const to = atLastValue ? s.lastValueT + 500 / s.hz : s.start + this.windowMs;
    this.emit(s, s.start, to, s.count, s.sum, s.min, s.max, out);
    s.open = false;
    s.closedUpTo = s.start + this.windowMs;
  }

  /** `to` = 0: a silent gap window, covered entirely. */
  private emit(s: Stream, start: number, to: number, count: number, sum: number, min: number, max: number, out: UplinkWaveSummary[]): void {
    const end = start + this.windowMs;
    // Sample slots in [from, to): slot k sits at phase + k·1000/hz; half a slot of margin around actual values.
    const half = 500 / s.hz;
    const from = Math.max(start, s.streamStart - half);
    const upTo = to === 0 ? end : Math.min(end, to);
    const expected = Math.max(0, slotIndex(upTo, s.phase, s.hz) - slotIndex(from, s.phase, s.hz));
    const p = s.placement;
    this.counters.summaries++;
    out.push({
      type: 'wave_summary',
      patientId: p.patientId, bedId: p.bedId, deviceId: p.deviceId, deviceType: p.deviceType, bootId: s.bootId,
      kind: s.kind, start, end, hz: s.hz, count, expected,
      min: count > 0 ? min : null,
      max: count > 0 ? max : null,
      mean: count > 0 ? Math.round((sum / count) * 10) / 10 : null,
      flat: count >= 2 && max - min <= this.flat[s.kind],
    });
  }
}

/** Index of the first sample slot at or after `x`, for slots at phase + k·1000/hz. */
function slotIndex(x: number, phase: number, hz: number): number {
  return Math.ceil(((x - phase) * hz) / 1000 - EPS);
}
