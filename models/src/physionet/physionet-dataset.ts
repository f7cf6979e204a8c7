/**
 * PhysioNet 2012 stays as PatientSeries (models/src/data/series.ts): the charted values at their real, irregular
 * times, hourly feature windows from the cloud's own feature code, derived events as truth, the cloud's rule
 * baselines replayed over the same samples, and the in-hospital outcome.
 *
 * Identity: patientId and bedId `physionet-<RecordID>`; samples come from three devices per stay,
 * `physionet-<RecordID>-invasive` (arterial line), `-cuff` (NIBP) and `-monitor` (HR, RR, Temp), so each limit rule
 * runs per device stream as in the cloud. Time: t = base + minutes since ICU admission.
 */
import {
  computeWindowFeatures,
  FEATURE_VITALS,
  type FeatureVital,
  type GroundTruthEvent,
  type News2Measured,
  type Observation,
  type VitalCode,
  type WindowFeatures,
} from '@vigil/contracts';
import { join } from 'node:path';
import { runBaselines, type BaselineSample } from '../data/baselines.ts';
import type { PatientSeries } from '../data/series.ts';
import { DERIVED_EVENT_RULES, deriveRuleEvents, type DerivedEventRule, type DerivedReading } from './derived-events.ts';
import { readOutcomes, type PhysioNetOutcome } from './outcomes.ts';
import {
  ARTIFACT_REASONS,
  classifyValue,
  consciousnessFromGcs,
  DROP_REASONS,
  type ArtifactReason,
  type DropReason,
  type PhysioNetSource,
} from './parameter-map.ts';
import { listRecordFiles, readRecordDirectory, type PhysioNetRecord, type RecordRejection } from './record-format.ts';

/** Admission time of every stay unless `base` is given: 2012-01-01T00:00Z, a whole hour, so windows also fall on
 * multiples of slideMs since the epoch (PatientSeries) for any slideMs dividing one day. */
export const PHYSIONET_BASE_MS = Date.UTC(2012, 0, 1);

const HOUR = 3_600_000; // ms
/** Charted ICU vitals are hourly at best: one expected value per hour per vital, for missingness. */
export const PHYSIONET_EXPECTED_INTERVAL_MS: Readonly<Record<FeatureVital, number>> = Object.freeze(
  Object.fromEntries(FEATURE_VITALS.map((v) => [v, HOUR])) as Record<FeatureVital, number>,
);
/**
 * NEWS2 carry-forward for hourly charting: a value stands in for one missing hourly window; temperature for four,
 * as it is typically charted 4-hourly (an assumption about nursing practice, not a PhysioNet fact).
 */
export const PHYSIONET_CARRY_FORWARD_MS: Readonly<Record<News2Measured, number>> = Object.freeze({
  rr: HOUR, spo2: HOUR, hr: HOUR, sbp: HOUR, temp: 4 * HOUR,
});

const SOURCE_ORDER: readonly PhysioNetSource[] = ['invasive', 'cuff', 'monitor'];

export interface PhysioNetDatasetOptions {
  /** Directory of <RecordID>.txt files (e.g. …/physionet-2012/set-a). */
  dir: string;
  /** Outcomes-*.txt; default: none, and `outcome` is left out. */
  outcomesFile?: string;
  /** Feature window length, ms (default 3 600 000, one hour). */
  windowMs?: number;
  /** Distance between window ends, ms (default 3 600 000: tumbling hourly windows). */
  slideMs?: number;
  /** Read at most this many files, in RecordID order. */
  limit?: number;
  /** Admission time of every stay, epoch ms (default PHYSIONET_BASE_MS); must be ≥ windowMs. */
  base?: number;
  /** A progress line on stderr every 500 stays. */
  progress?: boolean;
  /** Told about each rejected file as it happens (they are also returned in `rejected`). */
  onError?: (rejection: RecordRejection) => void;
  /** NEWS2 tumbling window of the baseline, ms (default 3 600 000: the data are hourly). */
  news2WindowMs?: number;
  /** NEWS2 carry-forward, ms per parameter (default PHYSIONET_CARRY_FORWARD_MS). */
  carryForwardMs?: Partial<Record<News2Measured, number>>;
  /**
   * Chart consciousness for the NEWS2 baseline from GCS via consciousnessFromGcs (GCS < 15 → not alert, an
   * assumption). Default false: consciousness stays missing and NEWS2 partial, as with no charted observation.
   */
  consciousnessFromGcs?: boolean;
}

export interface PhysioNetDatasetStats {
  /** Files read (accepted + rejected). */
  files: number;
  /** Stays parsed. */
  stays: number;
  /** Parsed stays that became a series (have at least one vital sample). */
  series: number;
  /** RecordIDs parsed but without any vital sample (no series). */
  staysWithoutVitals: string[];
  /** Time-series rows read (descriptors excluded). */
  observations: number;
  /** Values that became sample vitals, any quality. */
  vitalValues: number;
  /** Values dropped before any sample, per reason and per catalogue code. */
  dropped: Record<DropReason, Partial<Record<VitalCode, number>>>;
  /** Values kept with quality 'artifact', per reason and per catalogue code. */
  artifact: Record<ArtifactReason, Partial<Record<VitalCode, number>>>;
  /** SaO2 / GCS values kept aside (not vitals), and those dropped as outside their scale. */
  aside: { SaO2: number; GCS: number; dropped: number };
  /** Rows of parameters the mapping does not use (labs, Urine, FiO2, Weight…). */
  unmapped: number;
  /** A second value of one vital at one time and device (kept as a second sample at that time). */
  duplicateValues: number;
  /** Stays with at least one good value, per catalogue code, SaO2 and GCS. */
  staysWith: Partial<Record<VitalCode | 'SaO2' | 'GCS', number>>;
  /** Stays with at least one window where the feature vital has a good value. */
  staysWithFeature: Record<FeatureVital, number>;
  windows: number;
  /** Derived events per rule id, and stays with at least one (any rule, and per rule). */
  derivedEvents: Record<DerivedEventRule['id'], number>;
  staysWithDerivedEvent: number;
  staysWithDerivedEventByRule: Record<DerivedEventRule['id'], number>;
  limitAlarms: number;
  news2Alarms: number;
  /** With an outcomes file: in-hospital deaths it lists, deaths among the series, and series with no outcome row. */
  outcomeFileDeaths: number;
  deaths: number;
  outcomesMissing: number;
  elapsedMs: number;
}

export interface PhysioNetDataset {
  series: PatientSeries[];
  rejected: Array<{ file: string; reason: string }>;
  stats: PhysioNetDatasetStats;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`buildPhysioNetDataset: ${name} must be a positive integer of ms, got ${value}`);
  return value;
}

function emptyStats(): PhysioNetDatasetStats {
  const perReason = <R extends string>(reasons: readonly R[]) => Object.fromEntries(reasons.map((r) => [r, {}])) as Record<R, Partial<Record<VitalCode, number>>>;
  const perRule = () => Object.fromEntries(DERIVED_EVENT_RULES.map((r) => [r.id, 0])) as Record<DerivedEventRule['id'], number>;
  return {
    files: 0, stays: 0, series: 0, staysWithoutVitals: [], observations: 0, vitalValues: 0,
    dropped: perReason(DROP_REASONS), artifact: perReason(ARTIFACT_REASONS),
    aside: { SaO2: 0, GCS: 0, dropped: 0 }, unmapped: 0, duplicateValues: 0,
    staysWith: {}, staysWithFeature: Object.fromEntries(FEATURE_VITALS.map((v) => [v, 0])) as Record<FeatureVital, number>,
    windows: 0, derivedEvents: perRule(), staysWithDerivedEvent: 0, staysWithDerivedEventByRule: perRule(),
    limitAlarms: 0, news2Alarms: 0, outcomeFileDeaths: 0, deaths: 0, outcomesMissing: 0, elapsedMs: 0,
  };
}

const bump = <K extends string>(counts: Partial<Record<K, number>>, key: K) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

interface StaySamples {
  samples: BaselineSample[];
  readings: DerivedReading[];
  gcs: Array<{ t: number; value: number }>;
}

/** Classify one stay's rows into samples (one per time and device; a duplicate value opens a second sample). */
function staySamples(record: PhysioNetRecord, base: number, stats: PhysioNetDatasetStats): StaySamples {
  const bySlot = new Map<string, BaselineSample[]>();
  const readings: DerivedReading[] = [];
  const gcs: StaySamples['gcs'] = [];
  const present = new Set<string>();
  for (const o of record.observations) {
    stats.observations++;
    const t = base + o.minutes * 60_000;
    const verdict = classifyValue(o.parameter, o.value);
    switch (verdict.kind) {
      case 'unmapped':
        stats.unmapped++;
        break;
      case 'dropped':
        bump(stats.dropped[verdict.reason], verdict.code);
        break;
      case 'aside-dropped':
        stats.aside.dropped++;
        break;
      case 'aside':
        stats.aside[verdict.parameter]++;
        present.add(verdict.parameter);
        if (verdict.parameter === 'SaO2') readings.push({ t, code: 'SaO2', value: verdict.value, quality: 'good' });
        else gcs.push({ t, value: verdict.value });
        break;
      case 'vital': {
        stats.vitalValues++;
        if (verdict.artifact) bump(stats.artifact[verdict.artifact], verdict.code);
        else present.add(verdict.code);
        const key = `${o.minutes}|${verdict.source}`;
        let slot = bySlot.get(key);
        if (!slot) bySlot.set(key, (slot = []));
        let sample = slot.find((s) => s.vitals[verdict.code] === undefined);
        if (!sample) {
          if (slot.length > 0) stats.duplicateValues++;
          sample = { t, deviceId: `physionet-${record.recordId}-${verdict.source}`, vitals: {}, quality: {} };
          slot.push(sample);
        }
        sample.vitals[verdict.code] = verdict.value;
        sample.quality[verdict.code] = verdict.quality;
        readings.push({ t, code: verdict.code, value: verdict.value, quality: verdict.quality });
        break;
      }
    }
  }
  for (const code of present) bump(stats.staysWith, code as VitalCode | 'SaO2' | 'GCS');
  const rank = (s: BaselineSample) => SOURCE_ORDER.findIndex((src) => s.deviceId.endsWith(`-${src}`));
  // Event-time order (runBaselines requires it); at one time a fixed device order, so the output is deterministic.
  const samples = [...bySlot.values()].flat().sort((a, b) => a.t - b.t || rank(a) - rank(b));
  return { samples, readings, gcs };
}

/** Windows [end − windowMs, end) with end on base + k·slideMs, for every end whose window holds a sample. */
function stayWindows(samples: readonly BaselineSample[], base: number, windowMs: number, slideMs: number): WindowFeatures[] {
  const ks = new Set<number>();
  for (const s of samples) {
    const first = Math.floor((s.t - base) / slideMs) + 1; // smallest k with end > t
    const last = Math.floor((s.t + windowMs - base) / slideMs); // largest k with end − windowMs ≤ t
    for (let k = first; k <= last; k++) ks.add(k);
  }
  const windows: WindowFeatures[] = [];
  let lo = 0;
  let hi = 0;
  for (const k of [...ks].sort((a, b) => a - b)) {
    const end = base + k * slideMs;
    const start = end - windowMs;
    while (lo < samples.length && samples[lo]!.t < start) lo++;
    if (hi < lo) hi = lo;
    while (hi < samples.length && samples[hi]!.t < end) hi++;
    windows.push(computeWindowFeatures(samples.slice(lo, hi), { start, end }, { expectedIntervalMs: PHYSIONET_EXPECTED_INTERVAL_MS }));
  }
  return windows;
}

/**
 * Import a PhysioNet 2012 directory as PatientSeries. Rejected files are reported (onError and `rejected`) and
 * skipped; a missing directory or outcomes file throws. Values are never filled in: gaps and missing vitals show as
 * null levels and missingness in the windows.
 */
export async function buildPhysioNetDataset(options: PhysioNetDatasetOptions): Promise<PhysioNetDataset> {
  const started = performance.now();
  const windowMs = positiveInteger('windowMs', options.windowMs ?? HOUR);
  const slideMs = positiveInteger('slideMs', options.slideMs ?? HOUR);
  const news2WindowMs = positiveInteger('news2WindowMs', options.news2WindowMs ?? HOUR);
  const base = options.base ?? PHYSIONET_BASE_MS;
  if (!Number.isSafeInteger(base) || base < windowMs) {
    throw new RangeError(`buildPhysioNetDataset: base must be integer epoch ms >= windowMs (${windowMs}), got ${base}`);
  }
  const outcomes: Map<string, PhysioNetOutcome> | undefined = options.outcomesFile ? await readOutcomes(options.outcomesFile) : undefined;
  const total = options.progress ? Math.min((await listRecordFiles(options.dir)).length, options.limit ?? Infinity) : 0;

  const stats = emptyStats();
  for (const o of outcomes?.values() ?? []) if (o.inHospitalDeath) stats.outcomeFileDeaths++;
  const series: PatientSeries[] = [];
  const rejected: PhysioNetDataset['rejected'] = [];
  const onError = (rejection: RecordRejection) => {
    stats.files++;
    rejected.push({ file: rejection.file, reason: rejection.reason });
    options.onError?.(rejection);
  };
  const readOptions = { onError, ...(options.limit !== undefined ? { limit: options.limit } : {}) };
  for await (const record of readRecordDirectory(options.dir, readOptions)) {
    stats.files++;
    stats.stays++;
    const patientId = `physionet-${record.recordId}`;
    const { samples, readings, gcs } = staySamples(record, base, stats);
    if (options.progress && stats.files % 500 === 0) {
      process.stderr.write(`physionet: ${stats.files}/${total} files, ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    }
    if (samples.length === 0) {
      stats.staysWithoutVitals.push(record.recordId);
      continue;
    }

    const windows = stayWindows(samples, base, windowMs, slideMs);
    const truth: GroundTruthEvent[] = [];
    for (const rule of DERIVED_EVENT_RULES) {
      const events = deriveRuleEvents(rule, readings, { patientId, bedId: patientId });
      stats.derivedEvents[rule.id] += events.length;
      if (events.length > 0) stats.staysWithDerivedEventByRule[rule.id]++;
      truth.push(...events);
    }
    truth.sort((a, b) => a.onset - b.onset);
    const observations: Observation[] = options.consciousnessFromGcs
      ? gcs.map(({ t, value }) => ({ patientId, t, consciousness: consciousnessFromGcs(value), onOxygen: null, spo2Scale: null, by: 'physionet-gcs' }))
      : [];
    const baselines = runBaselines(
      { patientId, samples },
      {
        news2WindowMs,
        expectedIntervalMs: PHYSIONET_EXPECTED_INTERVAL_MS,
        carryForwardMs: { ...PHYSIONET_CARRY_FORWARD_MS, ...options.carryForwardMs },
        observations,
        // The stay is over: every NEWS2 window closes (the cloud's advanceTo at the end of a stream).
        endAt: Number.MAX_SAFE_INTEGER,
      },
    );
    const outcome = outcomes?.get(record.recordId);
    if (outcomes && !outcome) stats.outcomesMissing++;
    if (outcome?.inHospitalDeath) stats.deaths++;

    stats.series++;
    stats.windows += windows.length;
    for (const v of FEATURE_VITALS) if (windows.some((w) => w.vitals[v].nGood > 0)) stats.staysWithFeature[v]++;
    if (truth.length > 0) stats.staysWithDerivedEvent++;
    stats.limitAlarms += baselines.limitAlarms.length;
    stats.news2Alarms += baselines.news2Alarms.length;

    series.push({
      patientId,
      source: 'physionet',
      start: windows[0]!.start,
      end: windows[windows.length - 1]!.end,
      windowMs,
      slideMs,
      windows,
      truth,
      ...baselines,
      ...(outcome ? { outcome: { inHospitalDeath: outcome.inHospitalDeath } } : {}),
    });
  }
  stats.elapsedMs = Math.round(performance.now() - started);
  return { series, rejected, stats };
}

/** The standard layout of the shared copy: `<root>/set-a` and `<root>/Outcomes-a.txt`. */
export function physionetSetPaths(root: string, set: 'a' | 'b' | 'c' = 'a'): { dir: string; outcomesFile: string } {
  return { dir: join(root, `set-${set}`), outcomesFile: join(root, `Outcomes-${set}.txt`) };
}
