/**
 * The library of device-level artifacts and technical faults, and their assignment to devices.
 *
 * An ArtifactEpisode is the plan of one fault on one device over [onset, offset) (offset null: to the end); the device
 * generator applies it to its stream and reports it as ground truth. Signal artifacts (category 'artifact') change
 * values; technical faults (category 'technical') change what reaches the wire and when.
 *
 * Rates are episodes per device-day of time not already inside an episode of the same type (a renewal process: the
 * next onset is drawn after the previous offset), so expected count over T days ≈ T·rate / (1 + rate·mean duration).
 * The defaults are illustrative orders of magnitude for a ward (most monitor alarms are artifacts: Drew et al.
 * 2014, PLoS One 9:e110274), not measured rates; every one is configurable.
 */
import { ARTIFACT_EVENT_TYPES, type DeviceType, type GroundTruthEvent, type SessionDevice, type VitalCode } from '@vigil/contracts';
import { ICU_VITALS, NIBP_VITALS } from '../devices/icu-monitor.ts';
import { logUniform } from '../devices/measure.ts';
import { WEARABLE_VITALS } from '../devices/wearable.ts';
import type { Rng } from '../rng.ts';

export type ArtifactType = (typeof ARTIFACT_EVENT_TYPES)[number];
export type Severity = GroundTruthEvent['severity'];

export interface ArtifactEpisode extends Pick<GroundTruthEvent, 'onset' | 'offset' | 'severity' | 'affected'> {
  type: ArtifactType;
  deviceId: string;
  /** clock_skew: the device clock's offset at onset (ms) and its drift (ppm, parts per million of elapsed time). */
  skewMs?: number;
  driftPpm?: number;
  /** duplicate_sends: delay of the second copy (ms). */
  repeatDelayMs?: number;
}

/** Episodes per device-day, per artifact type, per device type. */
export type ArtifactRates = Partial<Record<ArtifactType, number>>;
export type ArtifactMix = Partial<Record<DeviceType, ArtifactRates>>;

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export const DEVICE_VITALS: Readonly<Record<DeviceType, readonly VitalCode[]>> = {
  'icu-monitor': [...ICU_VITALS, ...NIBP_VITALS],
  wearable: WEARABLE_VITALS,
};

interface ArtifactSpec {
  category: 'artifact' | 'technical';
  devices: readonly DeviceType[];
  /** Log-uniform duration range, ms (device_dead: the low-battery phase before death). */
  durationMs: readonly [number, number];
}

export const ARTIFACT_SPECS: Readonly<Record<ArtifactType, ArtifactSpec>> = {
  motion_artifact: { category: 'artifact', devices: ['icu-monitor', 'wearable'], durationMs: [10 * SEC, 5 * MIN] },
  probe_off: { category: 'artifact', devices: ['icu-monitor', 'wearable'], durationMs: [30 * SEC, 15 * MIN] },
  lead_off: { category: 'artifact', devices: ['icu-monitor'], durationMs: [30 * SEC, 10 * MIN] },
  stuck_sensor: { category: 'artifact', devices: ['icu-monitor', 'wearable'], durationMs: [3 * MIN, 30 * MIN] },
  radio_dropout: { category: 'technical', devices: ['icu-monitor', 'wearable'], durationMs: [20 * SEC, 45 * MIN] },
  device_removed: { category: 'technical', devices: ['wearable'], durationMs: [10 * MIN, 3 * HOUR] },
  low_battery: { category: 'technical', devices: ['wearable'], durationMs: [30 * MIN, 4 * HOUR] },
  device_dead: { category: 'technical', devices: ['wearable'], durationMs: [4 * HOUR, 10 * HOUR] },
  clock_skew: { category: 'technical', devices: ['icu-monitor', 'wearable'], durationMs: [30 * MIN, 12 * HOUR] },
  duplicate_sends: { category: 'technical', devices: ['icu-monitor', 'wearable'], durationMs: [5 * SEC, 60 * SEC] },
};

/** Default episodes per device-day. */
export const DEFAULT_ARTIFACT_MIX: Readonly<Record<DeviceType, ArtifactRates>> = {
  'icu-monitor': {
    motion_artifact: 3, // SpO2 / pleth during turning, suctioning
    probe_off: 4, // finger clip slips off
    lead_off: 2, // electrode detached
    stuck_sensor: 0.3,
    radio_dropout: 0.2, // network outage of a wired monitor
    clock_skew: 0.1,
    duplicate_sends: 1,
  },
  wearable: {
    motion_artifact: 8, // optical sensor on a moving, ambulatory patient
    probe_off: 3, // poor skin contact
    stuck_sensor: 0.3,
    radio_dropout: 6, // out of range, shower, lift
    device_removed: 1,
    low_battery: 0.3, // ends with a recharge
    device_dead: 0.05, // low battery nobody answered; at most one: P(death within T days) = 1 − e^(−rate·T)
    clock_skew: 0.2,
    duplicate_sends: 3,
  },
};

/** Low-battery episodes of a device start at least this long after the previous one ended (it must drain first). */
export const LOW_BATTERY_SPACING_MS = 12 * HOUR;

/** Which vitals an episode touches. */
function affectedFor(type: ArtifactType, deviceType: DeviceType, rng: Rng): VitalCode[] {
  const wearable = deviceType === 'wearable';
  switch (type) {
    case 'motion_artifact':
      // The wearable's accelerometer reads the bout too, movement the patient model does not know of.
      return wearable ? ['hr', 'spo2', 'activity'] : ['spo2'];
    case 'probe_off':
      return wearable ? ['hr', 'spo2'] : ['spo2']; // a wearable's pulse rate comes from the same optical sensor
    case 'lead_off':
      return ['hr', 'rr']; // impedance respiration is measured across the ECG electrodes
    case 'stuck_sensor': {
      const groups: VitalCode[][] = wearable ? [['hr'], ['spo2'], ['skinTemp']] : [['hr'], ['spo2'], ['rr'], ['abpSys', 'abpDia', 'abpMean']];
      return groups[Math.floor(rng.next() * groups.length)]!;
    }
    case 'low_battery':
      return ['battery'];
    default:
      return [...DEVICE_VITALS[deviceType]];
  }
}

function pick<T>(rng: Rng, weighted: readonly (readonly [T, number])[]): T {
  let u = rng.next();
  for (const [value, p] of weighted) if ((u -= p) < 0) return value;
  return weighted[weighted.length - 1]![0];
}

const bySpan = (ms: number, mild: number, moderate: number): Severity => (ms < mild ? 'mild' : ms < moderate ? 'moderate' : 'severe');

function draw(type: ArtifactType, device: SessionDevice, rng: Rng, onset: number, durationMs: number): ArtifactEpisode {
  const episode: ArtifactEpisode = { type, deviceId: device.deviceId, onset, offset: onset + durationMs, severity: 'moderate', affected: affectedFor(type, device.deviceType, rng) };
  switch (type) {
    case 'motion_artifact':
      episode.severity = pick(rng, [['mild', 0.5], ['moderate', 0.35], ['severe', 0.15]]);
      break;
    case 'probe_off':
    case 'lead_off':
      episode.severity = bySpan(durationMs, 2 * MIN, 10 * MIN);
      break;
    case 'stuck_sensor':
      episode.severity = bySpan(durationMs, 10 * MIN, 20 * MIN);
      break;
    case 'radio_dropout':
      episode.severity = bySpan(durationMs, 2 * MIN, 15 * MIN);
      break;
    case 'device_removed':
      episode.severity = bySpan(durationMs, 30 * MIN, 2 * HOUR);
      break;
    case 'low_battery':
      episode.severity = bySpan(durationMs, HOUR, Infinity);
      break;
    case 'clock_skew': {
      const magnitude = Math.round(logUniform(rng.next(), 5 * SEC, 10 * MIN));
      episode.skewMs = rng.next() < 0.5 ? -magnitude : magnitude;
      episode.driftPpm = rng.next() < 0.5 ? 0 : Math.round(rng.uniform(-200, 200));
      episode.severity = bySpan(magnitude, 30 * SEC, 5 * MIN);
      break;
    }
    case 'duplicate_sends':
      episode.repeatDelayMs = Math.round(rng.uniform(200, 3000));
      episode.severity = 'mild';
      break;
    case 'device_dead':
      episode.severity = 'severe';
      episode.offset = null;
      break;
  }
  return episode;
}

/** Whole seconds after `start`, at least 1 s in (the startup status always goes out first). */
const toSecond = (start: number, t: number) => start + Math.max(SEC, Math.ceil((t - start) / SEC) * SEC);
const exp = (rng: Rng, ratePerDay: number) => (-Math.log(1 - rng.next()) / ratePerDay) * DAY;
const duration = (rng: Rng, type: ArtifactType) => Math.max(SEC, Math.round(logUniform(rng.next(), ...ARTIFACT_SPECS[type].durationMs) / SEC) * SEC);

function episodesOf(device: SessionDevice, rates: ArtifactRates, rng: Rng, start: number, end: number): ArtifactEpisode[] {
  const out: ArtifactEpisode[] = [];
  let death: number | null = null;
  let deathLow = end;
  const deadRate = rates.device_dead ?? 0;
  if (deadRate > 0) {
    // At most one death; it ends the device's session, preceded by its own low-battery episode.
    const r = rng.fork('device_dead');
    const at = toSecond(start, start + exp(r, deadRate));
    if (at < end) {
      const lowOnset = toSecond(start, Math.max(start, at - duration(r, 'device_dead')));
      if (lowOnset < at) {
        death = at;
        deathLow = lowOnset;
        out.push(draw('device_dead', device, r, at, 0));
        out.push({ ...draw('low_battery', device, r, lowOnset, at - lowOnset), severity: 'severe' });
      }
    }
  }
  const until = death ?? end;
  for (const type of ARTIFACT_EVENT_TYPES) {
    const rate = rates[type] ?? 0;
    if (type === 'device_dead' || !(rate > 0)) continue;
    const r = rng.fork(type);
    let from = start;
    for (;;) {
      const onset = toSecond(start, from + exp(r, rate));
      if (onset >= until) break;
      const dur = duration(r, type);
      const episode = draw(type, device, r, onset, Math.min(dur, until - onset));
      if (type === 'low_battery' && death !== null && (episode.offset as number) > deathLow - LOW_BATTERY_SPACING_MS) break;
      out.push(episode);
      from = (episode.offset as number) + (type === 'low_battery' ? LOW_BATTERY_SPACING_MS : 0);
    }
  }
  return out;
}

/**
 * Plan artifact episodes for `devices` over [start, end). Each device and type draws from its own fork of `rng`, so
 * changing one rate leaves every other episode where it was. Throws when a rate is set for a type the device
 * type cannot have (e.g. lead_off on a wearable). Sorted by onset, then device.
 */
export function assignArtifacts(mix: ArtifactMix, devices: readonly SessionDevice[], rng: Rng, span: { start: number; end: number }): ArtifactEpisode[] {
  const out: ArtifactEpisode[] = [];
  for (const device of devices) {
    const rates = mix[device.deviceType] ?? {};
    for (const [type, rate] of Object.entries(rates) as [ArtifactType, number][]) {
      if (!Number.isFinite(rate) || rate < 0) throw new Error(`artifact rate ${type}=${rate}: episodes per device-day, ≥ 0`);
      if (rate > 0 && !ARTIFACT_SPECS[type].devices.includes(device.deviceType)) throw new Error(`artifact ${type} is not possible on a ${device.deviceType}`);
    }
    out.push(...episodesOf(device, rates, rng.fork(`artifacts:${device.deviceId}`), span.start, span.end));
  }
  return out.sort((a, b) => a.onset - b.onset || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

/** Ground truth of an episode (without id), for the device's patient and bed. */
export function episodeTruth(episode: ArtifactEpisode, device: SessionDevice): Omit<GroundTruthEvent, 'id'> {
  const detail =
    episode.type === 'clock_skew' ? `clock ${episode.skewMs ?? 0} ms at onset, drift ${episode.driftPpm ?? 0} ppm`
    : episode.type === 'duplicate_sends' ? `second copy after ${episode.repeatDelayMs ?? 0} ms`
    : undefined;
  return {
    category: ARTIFACT_SPECS[episode.type].category,
    type: episode.type,
    patientId: device.patientId,
    bedId: device.bedId,
    deviceId: device.deviceId,
    onset: episode.onset,
    offset: episode.offset,
    severity: episode.severity,
    affected: [...episode.affected],
    ...(detail ? { detail } : {}),
  };
}
