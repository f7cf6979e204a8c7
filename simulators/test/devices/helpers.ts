/** Test helpers: a scripted fake PatientModel (the real physiology is not needed here) and stream checks. */
import { isPlausible, SessionMessage, VitalCode, type SessionDevice, type VitalsSample } from '@vigil/contracts';
import type { ArtifactEpisode } from '../../src/artifacts/library.ts';
import { createDeviceGenerator, type DeviceGeneratorOptions } from '../../src/devices/device-generator.ts';
import type { PatientModel, TrueState } from '../../src/model.ts';
import { Rng } from '../../src/rng.ts';

export const T0 = 1_760_000_000_000;
export const SEC = 1000;
export const MIN = 60_000;
export const HOUR = 3_600_000;

export const RESTING: Omit<TrueState, 'breathPhase'> = { hr: 80, spo2: 97, rr: 15, sbp: 120, dbp: 75, map: 90, temp: 36.8, activity: 0 };

/** A patient whose state is `state(t)` (constant by default); the breathing phase advances with RR. */
export function fakePatient(state: (t: number) => Partial<TrueState> = () => ({})): PatientModel {
  let last = -Infinity;
  return {
    patient: { patientId: 'p-1', wardId: 'w-1', bedId: 'b-1' },
    profile: { age: 60, sex: 'female', weightKg: 70, baseline: { hr: 80, spo2: 97, rr: 15, sbp: 120, dbp: 75, map: 90, temp: 36.8 } },
    at(t) {
      if (t < last) throw new Error(`PatientModel.at called backwards: ${t} after ${last}`);
      last = t;
      const s = { ...RESTING, ...state(t) };
      return { ...s, breathPhase: (((t - T0) / 60_000) * s.rr) % 1 };
    },
    truth: () => [],
  };
}

export const ICU: SessionDevice = { deviceId: 'icu-1', deviceType: 'icu-monitor', patientId: 'p-1', bedId: 'b-1', wardId: 'w-1' };
export const WEARABLE: SessionDevice = { deviceId: 'wear-1', deviceType: 'wearable', patientId: 'p-1', bedId: 'b-1', wardId: 'w-1' };

export interface RunOptions {
  device?: SessionDevice;
  seed?: string;
  ms: number;
  stepMs?: number;
  options?: DeviceGeneratorOptions;
  artifacts?: ArtifactEpisode[];
  patient?: PatientModel;
}

/** Run a generator from T0 for `ms`, calling advance every `stepMs`; returns every record and the generator. */
export function run(o: RunOptions) {
  const generator = createDeviceGenerator({
    device: o.device ?? ICU,
    patient: o.patient ?? fakePatient(),
    rng: new Rng(o.seed ?? 'seed-1'),
    bootId: 'boot-1',
    start: T0,
    options: o.options,
    artifacts: o.artifacts,
  });
  const records: SessionMessage[] = [];
  const step = o.stepMs ?? SEC;
  for (let t = T0; t <= T0 + o.ms; t += step) for (const r of generator.advance(t)) records.push(r);
  return { generator, records };
}

export const samples = (records: SessionMessage[]) =>
  records.flatMap((r) => (r.channel === 'vitals' ? [{ sentAt: r.sentAt, ...r.message }] : []));
export const statuses = (records: SessionMessage[]) => records.flatMap((r) => (r.channel === 'status' ? [{ sentAt: r.sentAt, ...r.message }] : []));
export const waves = (records: SessionMessage[]) => records.flatMap((r) => (r.channel === 'wave' ? [{ sentAt: r.sentAt, ...r.message }] : []));

/** Problems in a stream: schema violations, implausible values, sentAt going backwards. Empty when all is well. */
export function problems(records: SessionMessage[]): string[] {
  const out: string[] = [];
  let last = -Infinity;
  for (const r of records) {
    const parsed = SessionMessage.safeParse(r);
    if (!parsed.success) out.push(`invalid ${r.channel}: ${parsed.error.message.slice(0, 200)}`);
    if (r.sentAt < last) out.push(`sentAt went back: ${r.sentAt} < ${last}`);
    last = r.sentAt;
    if (r.channel === 'vitals') {
      for (const [code, value] of Object.entries(r.message.vitals)) {
        if (!isPlausible(VitalCode.parse(code), value as number)) out.push(`implausible ${code}=${value}`);
      }
    }
  }
  return out;
}

export function sd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, sd: Math.sqrt(v) };
}

export type Sample = VitalsSample & { sentAt: number };
