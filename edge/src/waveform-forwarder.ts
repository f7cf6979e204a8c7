/**
 * Which raw waveform chunks go up to the cloud. Raw waves stay at the edge unless an alarm is active for the
 * patient or the cloud asked for them (UplinkWave.reason 'alarm' | 'request').
 *
 * Per device a ring buffer keeps the chunks of the last preRollMs of event time (default 10 s: enough to see the
 * onset of the rhythm that raised the alarm). While activate(patientId, reason, untilT?) is in force, every new chunk
 * of that patient's devices is returned for forwarding; on activation the buffered pre-roll is returned once.
 * A chunk is forwarded at most once: forwarded chunks stay in the ring marked as sent (so a re-activation does not
 * send them again), and a repeated chunk (same bootId, kind and seq still in the ring) is ignored.
 * When both reasons are in force, records carry 'alarm'. `untilT` is compared with the chunk's event time `t`
 * (deterministic; the caller converts "for 60 s" to now + 60 000 with the edge's synced clock).
 *
 * Memory: per device at most maxChunksPerDevice chunks (default 48: 10 s of 1 s ECG and pleth chunks is ~22),
 * each at most MAX_WAVEFORM_VALUES (2000) values by contract, so ≤ 96,000 values per device in the worst case and
 * about 3,750 values (~30 kB) for a 10 s ICU pre-roll at 250 + 125 Hz.
 */
import type { DeviceType, UplinkWave, WaveformChunk } from '@vigil/contracts';
import type { DevicePlacement } from './waveform-summary.ts';

export type WaveReason = UplinkWave['reason'];

export interface WaveformForwarderOptions {
  /** Event time kept per device before the newest chunk, ms. */
  preRollMs?: number;
  /** Hard bound on chunks kept per device (whatever their size or rate). */
  maxChunksPerDevice?: number;
}

export const WAVEFORM_FORWARDER_DEFAULTS: Required<WaveformForwarderOptions> = {
  preRollMs: 10_000, // 10 s
  maxChunksPerDevice: 48,
};

export interface WaveformForwarderStats {
  devices: number;
  buffered: number;
  forwarded: number;
  duplicates: number;
}

const NONE: readonly UplinkWave[] = Object.freeze([]);

interface DeviceRing {
  deviceId: string;
  patientId: string;
  bedId: string;
  deviceType: DeviceType;
  chunks: WaveformChunk[]; // oldest first; capacity maxChunksPerDevice
  sent: boolean[];
}

interface Activation {
  alarm: number | undefined; // until (event time, exclusive); Infinity = until deactivated
  request: number | undefined;
}

export class WaveformForwarder {
  readonly preRollMs: number;
  private readonly maxChunks: number;
  private readonly devices = new Map<string, DeviceRing>();
  private readonly byPatient = new Map<string, DeviceRing[]>();
  private readonly active = new Map<string, Activation>();
  private readonly counters = { forwarded: 0, duplicates: 0 };

  constructor(options: WaveformForwarderOptions = {}) {
    const o = { ...WAVEFORM_FORWARDER_DEFAULTS, ...options };
    if (!(o.preRollMs >= 0)) throw new RangeError('preRollMs must be >= 0');
    if (!(Number.isInteger(o.maxChunksPerDevice) && o.maxChunksPerDevice >= 1)) throw new RangeError('maxChunksPerDevice must be an integer >= 1');
    this.preRollMs = o.preRollMs;
    this.maxChunks = o.maxChunksPerDevice;
  }

  /** Buffer a device's chunk; returns it as an UplinkWave when its patient is active (else nothing). */
  add(placement: DevicePlacement, chunk: WaveformChunk): readonly UplinkWave[] {
    const ring = this.ring(placement);
    const { chunks, sent } = ring;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      if (c.seq === chunk.seq && c.bootId === chunk.bootId && c.kind === chunk.kind) {
        this.counters.duplicates++;
        return NONE;
      }
    }
    const reason = this.reasonAt(ring.patientId, chunk.t);
    // Keep the ring to preRollMs of event time behind this chunk's end, and to its hard bound.
    const horizon = chunk.t + (chunk.values.length * 1000) / chunk.hz - this.preRollMs;
    let drop = 0;
    while (drop < chunks.length && (chunks.length - drop >= this.maxChunks || endOf(chunks[drop]!) <= horizon)) drop++;
    if (drop > 0) {
      chunks.splice(0, drop);
      sent.splice(0, drop);
    }
    chunks.push(chunk);
    sent.push(reason !== undefined);
    if (reason === undefined) return NONE;
    this.counters.forwarded++;
    return [wave(ring, reason, chunk)];
  }

  /**
   * Start forwarding a patient's waves for `reason` until event time `untilT` (exclusive; default: until
   * deactivated). Returns the buffered pre-roll not yet forwarded, oldest first.
   */
  activate(patientId: string, reason: WaveReason, untilT = Infinity): UplinkWave[] {
    const a = this.active.get(patientId) ?? { alarm: undefined, request: undefined };
    a[reason] = untilT;
    this.active.set(patientId, a);
    const out: UplinkWave[] = [];
    const rings = this.byPatient.get(patientId);
    if (!rings) return out;
    for (const ring of rings) {
      for (let i = 0; i < ring.chunks.length; i++) {
        if (ring.sent[i]) continue;
        ring.sent[i] = true;
        out.push(wave(ring, this.reasonAt(patientId, -Infinity) ?? reason, ring.chunks[i]!));
      }
    }
    this.counters.forwarded += out.length;
    return out.sort((x, y) => x.chunk.t - y.chunk.t || (x.chunk.deviceId < y.chunk.deviceId ? -1 : x.chunk.deviceId > y.chunk.deviceId ? 1 : 0));
  }

  /** Stop forwarding for `reason`; the other reason, if in force, continues. */
  deactivate(patientId: string, reason: WaveReason): void {
    const a = this.active.get(patientId);
    if (!a) return;
    a[reason] = undefined;
    if (a.alarm === undefined && a.request === undefined) this.active.delete(patientId);
  }

  /** The reason a chunk of this patient at event time `t` would be forwarded for, if any. */
  reasonAt(patientId: string, t: number): WaveReason | undefined {
    const a = this.active.get(patientId);
    if (!a) return undefined;
    if (a.alarm !== undefined && t < a.alarm) return 'alarm';
    if (a.request !== undefined && t < a.request) return 'request';
    return undefined;
  }

  /** Forget a device (unassigned or removed) and its buffer. */
  removeDevice(deviceId: string): void {
    const ring = this.devices.get(deviceId);
    if (!ring) return;
    this.devices.delete(deviceId);
    this.detach(ring);
  }

  stats(): WaveformForwarderStats {
    let buffered = 0;
    for (const r of this.devices.values()) buffered += r.chunks.length;
    return { devices: this.devices.size, buffered, ...this.counters };
  }

  private ring(p: DevicePlacement): DeviceRing {
    let ring = this.devices.get(p.deviceId);
    if (ring && ring.patientId !== p.patientId) {
      // Re-assigned to another patient: the old patient's pre-roll must not travel under the new one.
      this.removeDevice(p.deviceId);
      ring = undefined;
    }
    if (!ring) {
      ring = { deviceId: p.deviceId, patientId: p.patientId, bedId: p.bedId, deviceType: p.deviceType, chunks: [], sent: [] };
      this.devices.set(p.deviceId, ring);
      const list = this.byPatient.get(p.patientId);
      if (list) list.push(ring);
      else this.byPatient.set(p.patientId, [ring]);
    }
    ring.bedId = p.bedId;
    return ring;
  }

  private detach(ring: DeviceRing): void {
    const list = this.byPatient.get(ring.patientId);
    if (!list) return;
    const i = list.indexOf(ring);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byPatient.delete(ring.patientId);
  }
}

function endOf(c: WaveformChunk): number {
  return c.t + (c.values.length * 1000) / c.hz;
}

function wave(ring: DeviceRing, reason: WaveReason, chunk: WaveformChunk): UplinkWave {
  return { type: 'wave', patientId: ring.patientId, bedId: ring.bedId, deviceType: ring.deviceType, reason, chunk };
}
