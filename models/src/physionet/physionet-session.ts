/**
 * PhysioNet 2012 stays as a session file (contracts/src/session.ts, v1, source 'physionet-2012'), so real ICU
 * recordings replay through the same pipeline as simulated and recorded wards.
 *
 * One stay → one patient (`physionet-<RecordID>`, bed of the same name) with up to four devices, each an
 * 'icu-monitor' whose samples are the charted values of one source, at their real irregular times
 * (t = base + minutes since ICU admission; every stay starts at `base`):
 *   -monitor   HR, RespRate, Temp                → hr, rr, temp
 *   -invasive  SysABP, DiasABP, MAP (arterial)   → abpSys, abpDia, abpMean
 *   -cuff      NISysABP, NIDiasABP, NIMAP         → nibpSys, nibpDia, nibpMean
 *   -bloodgas  SaO2 (arterial blood gas)          → sao2, never spo2 (PhysioNet 2012 has no SpO2)
 * The mapping and the value checks are parameter-map.ts's (classifyValue). Differences from the PatientSeries
 * importer (physionet-dataset.ts), because a session carries what a device would send: a value the edge would reject
 * as implausible is left out (the edge rejects the whole sample otherwise), and a 0 HR / RR / pressure — the data's
 * failed-reading marker — is left out too (a device sends no reading rather than a 0); both are counted. GCS has no
 * device channel and is counted as not carried. Each device publishes `online / startup` before its first sample.
 *
 * Ground truth: the derived events of derived-events.ts (hypotension typed 'hypotension' here, since contracts now
 * has it; the PatientSeries importer keeps its own typing), and each stay's outcome on its patient entry.
 */
import {
  SESSION_FORMAT,
  SESSION_VERSION,
  type GroundTruthEvent,
  type SessionDevice,
  type SessionHeader,
  type SessionMessage,
  type SessionPatient,
  type VitalCode,
  type VitalsSample,
} from '@vigil/contracts';
import { DERIVED_EVENT_RULES, deriveRuleEvents, type DerivedReading } from './derived-events.ts';
import type { PhysioNetOutcome } from './outcomes.ts';
import { classifyValue, type PhysioNetSource } from './parameter-map.ts';
import type { PhysioNetRecord } from './record-format.ts';

/** The session's devices per stay; 'bloodgas' carries SaO2 only. */
export type PhysioNetSessionSource = PhysioNetSource | 'bloodgas';
const SOURCES: readonly PhysioNetSessionSource[] = ['monitor', 'invasive', 'cuff', 'bloodgas'];
/** The challenge's stays are the first 48 h after ICU admission (physionet.org/content/challenge-2012). */
export const PHYSIONET_STAY_MS = 48 * 3_600_000;

export interface StaySessionCounts {
  /** Time-series rows read (descriptors excluded). */
  observations: number;
  /** Values carried in samples. */
  values: number;
  /** Left out: outside the catalogue's plausible range, or 0 (failed reading), or SaO2 out of 1-100. */
  implausible: number;
  zero: number;
  /** Rows of parameters without a device channel (GCS, labs, Urine, FiO2, MechVent, Weight…). */
  notCarried: number;
}

export interface StaySession {
  patient: SessionPatient;
  devices: SessionDevice[];
  /** Device messages of this stay, in send order. */
  messages: SessionMessage[];
  truth: GroundTruthEvent[];
  counts: StaySessionCounts;
}

export interface StaySessionOptions {
  wardId: string;
  /** Admission time of every stay, epoch ms. */
  base: number;
  outcome?: PhysioNetOutcome;
}

const CHANNEL_RANK = { status: 0, vitals: 1, wave: 2 } as const;
/** Send order: time, then device, then status before samples, then seq. Total, so merges are deterministic. */
export function compareSessionMessages(a: SessionMessage, b: SessionMessage): number {
  if (a.sentAt !== b.sentAt) return a.sentAt - b.sentAt;
  const da = a.message.deviceId;
  const db = b.message.deviceId;
  if (da !== db) return da < db ? -1 : 1;
  if (a.channel !== b.channel) return CHANNEL_RANK[a.channel] - CHANNEL_RANK[b.channel];
  return (a.channel === 'vitals' ? a.message.seq : 0) - (b.channel === 'vitals' ? b.message.seq : 0);
}

/** One parsed stay as session content. Deterministic: same record and options → same output. */
export function staySession(record: PhysioNetRecord, options: StaySessionOptions): StaySession {
  const patientId = `physionet-${record.recordId}`;
  const bedId = patientId;
  const { wardId, base } = options;
  const counts: StaySessionCounts = { observations: 0, values: 0, implausible: 0, zero: 0, notCarried: 0 };
  // Per source: samples in time order; a second value of one code at one minute opens a second sample then.
  const bySource = new Map<PhysioNetSessionSource, Array<{ t: number; vitals: Partial<Record<VitalCode, number>> }>>();
  const readings: DerivedReading[] = [];
  const put = (source: PhysioNetSessionSource, t: number, code: VitalCode, value: number) => {
    let list = bySource.get(source);
    if (!list) bySource.set(source, (list = []));
    // Rows are in time order (parseRecord sorts them): the open samples at t are at the end of the list.
    let i = list.length - 1;
    while (i >= 0 && list[i]!.t === t && list[i]!.vitals[code] !== undefined) i--;
    if (i >= 0 && list[i]!.t === t) list[i]!.vitals[code] = value;
    else list.push({ t, vitals: { [code]: value } });
    counts.values++;
  };
  for (const o of record.observations) {
    counts.observations++;
    const t = base + o.minutes * 60_000;
    const verdict = classifyValue(o.parameter, o.value);
    switch (verdict.kind) {
      case 'vital':
        readings.push({ t, code: verdict.code, value: verdict.value, quality: verdict.quality });
        if (verdict.artifact === 'zero') counts.zero++;
        else put(verdict.source, t, verdict.code, verdict.value);
        break;
      case 'dropped':
        counts.implausible++;
        break;
      case 'aside':
        if (verdict.parameter === 'SaO2') {
          readings.push({ t, code: 'SaO2', value: verdict.value, quality: 'good' });
          put('bloodgas', t, 'sao2', verdict.value);
        } else counts.notCarried++;
        break;
      case 'aside-dropped':
        if (o.parameter === 'SaO2') counts.implausible++;
        else counts.notCarried++;
        break;
      case 'unmapped':
        counts.notCarried++;
        break;
    }
  }

  const devices: SessionDevice[] = [];
  const messages: SessionMessage[] = [];
  for (const source of SOURCES) {
    const samples = bySource.get(source);
    if (!samples || samples.length === 0) continue;
    // Same-minute samples must stay in insertion order; the list is already in time order.
    const deviceId = `${patientId}-${source}`;
    const bootId = `physionet-${record.recordId}`;
    devices.push({ deviceId, deviceType: 'icu-monitor', patientId, bedId, wardId });
    messages.push({
      kind: 'message', sentAt: samples[0]!.t, channel: 'status',
      message: { v: 1, deviceId, bootId, t: samples[0]!.t, state: 'online', reason: 'startup' },
    });
    samples.forEach((s, seq) => {
      const message: VitalsSample = { v: 1, deviceId, bootId, seq, t: s.t, vitals: s.vitals };
      messages.push({ kind: 'message', sentAt: s.t, channel: 'vitals', message });
    });
  }
  messages.sort(compareSessionMessages);

  const truth: GroundTruthEvent[] = [];
  for (const rule of DERIVED_EVENT_RULES) {
    for (const event of deriveRuleEvents(rule, readings, { patientId, bedId })) {
      truth.push(rule.id === 'hypotension' ? { ...event, type: 'hypotension' } : event);
    }
  }
  truth.sort((a, b) => a.onset - b.onset || (a.id < b.id ? -1 : 1));

  const d = record.descriptors;
  const patient: SessionPatient = {
    patientId,
    wardId,
    bedId,
    // The challenge caps ages at 90; SessionPatient wants whole years within 0-120.
    ...(d.age !== null && d.age >= 0 && d.age <= 120 ? { age: Math.round(d.age) } : {}),
    ...(d.gender !== null ? { sex: d.gender } : {}),
    ...(d.weightKg !== null && d.weightKg >= 1 && d.weightKg <= 400 ? { weightKg: d.weightKg } : {}),
    ...(options.outcome
      ? {
          outcome: {
            inHospitalDeath: options.outcome.inHospitalDeath,
            survivalDays: options.outcome.survivalDays,
            lengthOfStayDays: options.outcome.lengthOfStayDays,
          },
        }
      : {}),
  };
  return { patient, devices, messages, truth, counts };
}

/** The header of a session of these stays; the span covers every stay's 48 h and any later row. */
export function physionetSessionHeader(stays: readonly StaySession[], base: number, generator: Record<string, unknown>): SessionHeader {
  let end = base + PHYSIONET_STAY_MS;
  for (const s of stays) {
    const last = s.messages[s.messages.length - 1];
    if (last && last.sentAt >= end) end = last.sentAt + 1;
  }
  return {
    kind: 'header',
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    source: 'physionet-2012',
    start: base,
    end,
    generator,
    patients: stays.map((s) => s.patient),
    devices: stays.flatMap((s) => s.devices),
  };
}
