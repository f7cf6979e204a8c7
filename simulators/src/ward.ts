/**
 * A simulated ward: patients (profile, physiology, clinical episodes) and their devices (measurement, artifacts,
 * faults), all drawn from one seed. Every random choice forks its own named stream from that seed, so adding a
 * patient or changing one rate does not reshuffle everything else.
 */
import { randomUUID } from 'node:crypto';
import { SESSION_FORMAT, SESSION_VERSION, type GroundTruthEvent, type SessionDevice, type SessionHeader, type SessionPatient } from '@vigil/contracts';
import { assignArtifacts, DEFAULT_ARTIFACT_MIX, type ArtifactMix } from './artifacts/library.ts';
import { createDeviceGenerator, type DeviceGeneratorOptions } from './devices/device-generator.ts';
import type { DeviceGenerator, PatientModel } from './model.ts';
import { drawProfile } from './physiology/demographics.ts';
import { createPatientModel } from './physiology/patient-model.ts';
import type { ClinicalEpisode } from './scenarios/library.ts';
import { assignScenarios, createEpisodeFromSpec, parseEpisodeSpec, parseScenarioMix } from './scenarios/scenario-mix.ts';
import { Rng } from './rng.ts';

export interface WardOptions {
  devices: readonly SessionDevice[];
  seed: string;
  /** Event-time span: scenarios and artifacts are placed inside it. */
  start: number;
  end: number;
  /** Share of patients per scenario type, e.g. "sepsis:0.1,hypoxaemia:0.05" (the rest stable). */
  scenarioMix?: string;
  /** Explicit episodes per bed, e.g. { 'bed-03': 'tachyarrhythmia@20s+30s' }; they replace the mix for that bed. */
  bedScenarios?: Readonly<Record<string, string>>;
  /** Artifact rates per device type (episodes per device-day); 'default' or 'none'. */
  artifacts?: ArtifactMix | 'default' | 'none';
  deviceOptions?: DeviceGeneratorOptions;
  /** `seeded` for reproducible files; live devices draw a fresh boot id per start. */
  bootIds?: 'seeded' | 'random';
  /**
   * Real devices are not synchronised to the wall clock's second. Unset (files): every device powers on at `start`.
   * Set: each device powers on at `start` + its phase, drawn from the seed (a stream of its own per device), uniform
   * in [0, withinMs) and rounded down to a multiple of `slotMs`; all its messages then keep that offset.
   */
  phaseSpread?: { withinMs: number; slotMs: number };
}

export interface SimulatedWard {
  patients: PatientModel[];
  generators: DeviceGenerator[];
  /** Each generator's power-on offset from `start`, ms (all 0 without `phaseSpread`). */
  phases: number[];
  /** All ground truth, sorted by onset, with stable ids (gt-0001, …). */
  truth: GroundTruthEvent[];
  header(source: SessionHeader['source'], generator?: Record<string, unknown>): SessionHeader;
}

export function buildWard(options: WardOptions): SimulatedWard {
  const root = new Rng(options.seed);
  const window = { start: options.start, end: options.end };
  const placements = new Map<string, SessionPatient>();
  for (const d of options.devices) {
    if (!placements.has(d.patientId)) placements.set(d.patientId, { patientId: d.patientId, wardId: d.wardId, bedId: d.bedId });
  }
  const profiles = new Map([...placements.keys()].map((id) => [id, drawProfile(root.fork(`profile:${id}`))]));
  const patientsInfo: SessionPatient[] = [...placements.values()].map((p) => {
    const profile = profiles.get(p.patientId)!;
    return { ...p, age: profile.age, sex: profile.sex, weightKg: Math.round(profile.weightKg * 10) / 10 };
  });

  const explicitBeds = new Set(Object.keys(options.bedScenarios ?? {}));
  const mixed = options.scenarioMix
    ? assignScenarios(parseScenarioMix(options.scenarioMix), patientsInfo.filter((p) => !explicitBeds.has(p.bedId)), root.fork('scenarios'), window)
    : new Map<string, ClinicalEpisode[]>();
  const episodesOf = (p: SessionPatient): ClinicalEpisode[] => {
    const spec = options.bedScenarios?.[p.bedId];
    if (spec === undefined) return mixed.get(p.patientId) ?? [];
    const episode = createEpisodeFromSpec(parseEpisodeSpec(spec), { start: options.start, patientId: p.patientId, bedId: p.bedId, rng: root.fork(`episode:${p.bedId}`) });
    return episode ? [episode] : [];
  };
  const patients = patientsInfo.map((p) =>
    createPatientModel({ patient: p, profile: profiles.get(p.patientId)!, rng: root.fork(`patient:${p.patientId}`), episodes: episodesOf(p) }),
  );
  const byId = new Map(patients.map((m) => [m.patient.patientId, m]));

  const mix = options.artifacts === 'none' ? {} : options.artifacts === undefined || options.artifacts === 'default' ? DEFAULT_ARTIFACT_MIX : options.artifacts;
  const artifacts = assignArtifacts(mix, options.devices, root.fork('artifacts'), window);
  const spread = options.phaseSpread;
  const phases = options.devices.map((device) =>
    spread ? Math.floor(root.fork(`phase:${device.deviceId}`).uniform(0, spread.withinMs) / spread.slotMs) * spread.slotMs : 0,
  );
  const generators = options.devices.map((device, i) => {
    const deviceRng = root.fork(`device:${device.deviceId}`);
    return createDeviceGenerator({
      device,
      patient: byId.get(device.patientId)!,
      rng: deviceRng,
      bootId: options.bootIds === 'random' ? randomUUID() : deviceRng.fork('boot').hex(8),
      start: options.start + phases[i]!,
      ...(options.deviceOptions ? { options: options.deviceOptions } : {}),
      artifacts,
    });
  });

  const truth = [...patients.flatMap((p) => p.truth()), ...generators.flatMap((g) => g.truth())]
    .sort((a, b) => a.onset - b.onset || a.patientId.localeCompare(b.patientId) || a.type.localeCompare(b.type) || (a.deviceId ?? '').localeCompare(b.deviceId ?? ''))
    .map((event, i) => ({ ...event, id: `gt-${String(i + 1).padStart(4, '0')}` }));

  return {
    patients,
    generators,
    phases,
    truth,
    header(source, generator) {
      return {
        kind: 'header',
        format: SESSION_FORMAT,
        version: SESSION_VERSION,
        source,
        start: options.start,
        end: options.end,
        ...(generator ? { generator } : {}),
        patients: patientsInfo,
        devices: options.devices.map((d) => ({ deviceId: d.deviceId, deviceType: d.deviceType, patientId: d.patientId, bedId: d.bedId, wardId: d.wardId })),
      };
    },
  };
}

/** Device placements for a generated ward (no credentials needed for files): ICU monitors, the last beds wearables. */
export function wardDevices(wardId: string, beds: number, wearableBeds: number): SessionDevice[] {
  const width = Math.max(2, String(beds).length);
  return Array.from({ length: beds }, (_, i) => {
    const n = String(i + 1).padStart(width, '0');
    const wearable = i >= beds - wearableBeds;
    return { deviceId: `${wardId}-${wearable ? 'wear' : 'mon'}-${n}`, deviceType: wearable ? 'wearable' : 'icu-monitor', patientId: `pt-${wardId}-${n}`, bedId: `bed-${n}`, wardId } as SessionDevice;
  });
}
