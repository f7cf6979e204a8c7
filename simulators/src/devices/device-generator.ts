/**
 * A simulated device: turns the patient's true state into exactly the messages the device sends, with its rate,
 * noise, quantisation, seq, send times, artifacts and technical faults. Pure and seeded (DeviceGenerator in
 * model.ts): same configuration, same output, byte for byte.
 *
 * Stream of one device:
 * - first a DeviceStatus online/startup at `start`; then every `statusIntervalMs` an online/periodic status
 *   (wearable: with battery % and signal RSSI dBm; ICU monitors are mains powered: no battery, wired: no signal);
 * - a VitalsSample every `sampleIntervalMs` (ICU 1 s, wearable 5 s), the first at `start`;
 * - ICU NIBP: the reading travels in the 1 s sample at the end of each cuff cycle (no message of its own), so
 *   that sample's `t` is the cycle end and the sample stream stays exactly one per second;
 * - optional waveform chunks of 1 s (ICU: ECG 250 Hz and pleth 125 Hz; wearable: pleth), sent at the end of the
 *   second they cover. Samples and chunks share the device's one seq counter, so (deviceId, bootId, seq) stays a
 *   unique key across channels; statuses carry no seq.
 * At equal times: startup, death, reconnect flush, sample, ECG, pleth, periodic status.
 * Without faults sentAt = the true time of measurement and `t` = sentAt (chunks: `t` = sentAt − 1 s).
 */
import type { DeviceStatus, GroundTruthEvent, SessionDevice, VitalsSample } from '@vigil/contracts';
import { ARTIFACT_SPECS, episodeTruth, type ArtifactEpisode } from '../artifacts/library.ts';
import { createDelivery } from '../artifacts/delivery.ts';
import { createSignalArtifacts, EpisodeTimeline, find, MOTION_INTENSITY } from '../artifacts/effects.ts';
import type { DeviceGenerator, PatientModel, TrueState } from '../model.ts';
import type { Rng } from '../rng.ts';
import { createBatteryPlan, type BatteryPlan } from './battery.ts';
import { measureIcu, measureNibp } from './icu-monitor.ts';
import { clamp } from './measure.ts';
import { createWaveformSynth, ECG_HZ, PLETH_HZ, type WaveformSynth } from './waveforms.ts';
import { createWearableSensor } from './wearable.ts';

export interface DeviceGeneratorOptions {
  /** Numerics interval, ms. Default ICU 1000, wearable 5000. */
  sampleIntervalMs?: number;
  /** NIBP cuff cycle (ICU), ms. Default 15 min. */
  nibpIntervalMs?: number;
  /** Periodic status interval, ms. Default 60 s. */
  statusIntervalMs?: number;
  /** Send waveform chunks. Default false. */
  waveforms?: boolean;
  /** Messages a device holds during a drop-out before losing the oldest. Default ICU 3600 (1 h), wearable 240 (20 min). */
  bufferLimit?: number;
  /** Spacing of the buffered messages sent after a drop-out, ms. Default 2 (a burst of 500 messages/s). */
  flushSpacingMs?: number;
}

export interface DeviceGeneratorConfig {
  device: SessionDevice;
  patient: PatientModel;
  rng: Rng;
  bootId: string;
  /** Event time of power-on, ms. */
  start: number;
  options?: DeviceGeneratorOptions;
  /** Artifact episodes; those of other devices are ignored. */
  artifacts?: readonly ArtifactEpisode[];
}

export const DEVICE_DEFAULTS = {
  'icu-monitor': { sampleIntervalMs: 1000, bufferLimit: 3600 },
  wearable: { sampleIntervalMs: 5000, bufferLimit: 240 },
  nibpIntervalMs: 15 * 60_000, // 15 min, a common ICU cuff cycle
  statusIntervalMs: 60_000, // 1 min
  flushSpacingMs: 2, // ms
  repeatDelayMs: 1000, // ms, duplicate_sends without its own delay
} as const;

const CHUNK_MS = 1000;

export function createDeviceGenerator(config: DeviceGeneratorConfig): DeviceGenerator {
  const { device, patient, rng, bootId, start } = config;
  const o = config.options ?? {};
  const icu = device.deviceType === 'icu-monitor';
  const defaults = DEVICE_DEFAULTS[device.deviceType];
  const sampleIntervalMs = o.sampleIntervalMs ?? defaults.sampleIntervalMs;
  const nibpIntervalMs = o.nibpIntervalMs ?? DEVICE_DEFAULTS.nibpIntervalMs;
  const statusIntervalMs = o.statusIntervalMs ?? DEVICE_DEFAULTS.statusIntervalMs;
  for (const [name, v] of Object.entries({ sampleIntervalMs, nibpIntervalMs, statusIntervalMs })) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer number of ms, got ${v}`);
  }

  const episodes = (config.artifacts ?? []).filter((e) => e.deviceId === device.deviceId);
  for (const e of episodes) {
    if (!ARTIFACT_SPECS[e.type].devices.includes(device.deviceType)) throw new Error(`artifact ${e.type} is not possible on a ${device.deviceType} (${device.deviceId})`);
  }
  const dead = episodes.find((e) => e.type === 'device_dead');
  const death = dead ? dead.onset : null;

  // Independent streams: waveforms on or off, or an extra artifact, leave the numerics' noise unchanged.
  const noise = rng.fork('noise');
  const radio = rng.fork('radio');
  const signal = createSignalArtifacts(rng.fork('artifacts'));
  const timeline = new EpisodeTimeline(episodes);
  const waveTimeline = new EpisodeTimeline(episodes);
  const delivery = createDelivery({ bufferLimit: o.bufferLimit ?? defaults.bufferLimit, flushSpacingMs: o.flushSpacingMs ?? DEVICE_DEFAULTS.flushSpacingMs });
  const wearable = icu ? null : createWearableSensor(noise);
  const synth: WaveformSynth | null = o.waveforms ? createWaveformSynth({ start, rng: rng.fork('wave'), ecg: icu, pleth: true }) : null;

  let battery: BatteryPlan | null = null;
  if (!icu) {
    const b = rng.fork('battery');
    const low = episodes
      .filter((e) => e.type === 'low_battery')
      .sort((a, c) => a.onset - c.onset)
      .map((e) => ({ onset: e.onset, offset: e.offset ?? Infinity, dies: death !== null && e.offset === death }));
    if (death !== null && !low.some((p) => p.dies)) throw new Error(`device_dead on ${device.deviceId} needs a low_battery episode ending at its onset`);
    battery = createBatteryPlan({ start, drainPerHour: b.uniform(2, 4), startLevel: b.uniform(60, 100), rechargeAt: b.uniform(25, 35), low });
  }
  const rssiMean = radio.uniform(-75, -60);
  let rssi = rssiMean;

  let seq = 0;
  let started = false;
  let isDead = false;
  let nextSample = start;
  let nextStatus = start + statusIntervalMs;
  let nextWave = synth ? start + CHUNK_MS : Infinity;
  let nextNibp = icu ? start + nibpIntervalMs : Infinity;
  let cachedT = NaN;
  let cached: TrueState | undefined;
  const stateAt = (tau: number): TrueState => {
    if (tau !== cachedT || !cached) {
      cached = patient.at(tau);
      cachedT = tau;
    }
    return cached;
  };

  /** The device's clock: true time, or off by the active clock skew. */
  const clock = (tau: number, active: readonly ArtifactEpisode[]): number => {
    const skew = find(active, 'clock_skew');
    if (!skew) return tau;
    return Math.max(0, tau + Math.round((skew.skewMs ?? 0) + (skew.driftPpm ?? 0) * 1e-6 * (tau - skew.onset)));
  };
  const faults = (active: readonly ArtifactEpisode[]) => {
    const dup = find(active, 'duplicate_sends');
    return { dropout: find(active, 'radio_dropout'), repeatDelayMs: dup ? (dup.repeatDelayMs ?? DEVICE_DEFAULTS.repeatDelayMs) : undefined };
  };

  function status(tau: number, active: readonly ArtifactEpisode[], reason: 'startup' | 'periodic'): void {
    // Drawn every time, so the radio stream does not depend on which statuses are sent.
    rssi = clamp(rssiMean + 0.7 * (rssi - rssiMean) + radio.normal(0, 3), -90, -50);
    if (find(active, 'device_removed')) return;
    const message: DeviceStatus = { v: 1, deviceId: device.deviceId, bootId, t: clock(tau, active), state: 'online', reason };
    if (battery) {
      message.battery = clamp(Math.floor(battery.level(tau)), 0, 100);
      message.signal = find(active, 'radio_dropout') ? -90 : Math.round(rssi);
    }
    delivery.send(tau, { kind: 'message', sentAt: tau, channel: 'status', message }, faults(active));
  }

  function sample(tau: number, active: readonly ArtifactEpisode[]): void {
    const state = stateAt(tau);
    const vitals = wearable && battery ? wearable.measure(state, tau, battery.level(tau)) : measureIcu(state, noise);
    if (tau >= nextNibp) {
      Object.assign(vitals, measureNibp(state, noise));
      while (nextNibp <= tau) nextNibp += nibpIntervalMs;
    }
    if (find(active, 'device_removed')) return; // measured (the noise stream stays aligned), never sent
    const flags = signal.apply(active, vitals);
    if (Object.keys(vitals).length === 0) return;
    const message: VitalsSample = { v: 1, deviceId: device.deviceId, bootId, seq: seq++, t: clock(tau, active), vitals };
    if (flags) message.flags = flags;
    delivery.send(tau, { kind: 'message', sentAt: tau, channel: 'vitals', message }, faults(active));
  }

  function wave(tau: number, active: readonly ArtifactEpisode[]): void {
    if (!synth) return;
    // Signal artifacts act on the second the chunk covers; delivery faults on the moment it is sent.
    const covered = waveTimeline.active(tau - CHUNK_MS);
    const motion = find(covered, 'motion_artifact');
    const chunks = synth.render(tau, stateAt(tau), motion ? MOTION_INTENSITY[motion.severity] : 0);
    if (find(covered, 'device_removed') || find(active, 'device_removed')) return;
    const send = (kind: 'ecg' | 'pleth', hz: number, chunk: { t: number; values: number[] }) => {
      const message = { v: 1 as const, deviceId: device.deviceId, bootId, seq: seq++, t: clock(tau, active) - (tau - chunk.t), kind, hz, values: chunk.values };
      delivery.send(tau, { kind: 'message', sentAt: tau, channel: 'wave', message }, faults(active));
    };
    if (chunks.ecg && !find(covered, 'lead_off')) send('ecg', ECG_HZ, chunks.ecg);
    if (chunks.pleth && !find(covered, 'probe_off')) send('pleth', PLETH_HZ, chunks.pleth);
  }

  function die(tau: number): void {
    isDead = true;
    delivery.die(tau);
    // The broker's Last Will on the device's behalf: the device itself can say nothing more.
    const message: DeviceStatus = { v: 1, deviceId: device.deviceId, bootId, t: clock(tau, timeline.active(tau)), state: 'offline', reason: 'connection_lost' };
    delivery.send(tau, { kind: 'message', sentAt: tau, channel: 'status', message }, {});
  }

  return {
    device,
    bootId,
    advance(t) {
      while (!isDead) {
        const reconnect = delivery.reconnectAt ?? Infinity;
        const tau = Math.min(started ? Infinity : start, death ?? Infinity, reconnect, nextSample, nextWave, nextStatus);
        if (tau > t) break;
        if (!started) {
          started = true;
          status(start, timeline.active(start), 'startup');
        } else if (death !== null && tau >= death) {
          die(death);
        } else if (tau === reconnect) {
          delivery.reconnect(faults(timeline.active(tau)).repeatDelayMs);
        } else if (tau === nextSample) {
          sample(tau, timeline.active(tau));
          nextSample += sampleIntervalMs;
        } else if (tau === nextWave) {
          wave(tau, timeline.active(tau));
          nextWave += CHUNK_MS;
        } else {
          status(tau, timeline.active(tau), 'periodic');
          nextStatus += statusIntervalMs;
        }
      }
      return delivery.take(t);
    },
    truth(): Omit<GroundTruthEvent, 'id'>[] {
      return [...episodes].sort((a, b) => a.onset - b.onset).map((e) => {
        const truth = episodeTruth(e, device);
        if (e.type === 'radio_dropout') truth.detail = `messages held in a buffer of ${o.bufferLimit ?? defaults.bufferLimit}, oldest lost first, sent after the gap`;
        return truth;
      });
    },
  };
}
