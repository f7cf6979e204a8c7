/**
 * A simulated ward as PatientSeries: the simulators' devices stepped through event time in-process, their numerics
 * passed through what the edge does before the cloud sees them, then the cloud's sliding feature windows and rule
 * baselines per patient. Same options → identical output (every random choice comes from the seed).
 *
 * The edge's part, with the edge's own code and defaults (edge/src/device-ingest.ts, local-pipeline.ts):
 * plausibility (a sample with an implausible value is rejected whole), clock skew against the gateway clock (here
 * the send time: no transport delay), dedupe on (device, boot, seq), the SignalQualityAssessor's verdicts; and an
 * 'online' status resets the device's dedupe boots and its quality state, as local-pipeline.ts did when the served
 * artefacts were trained. The edge now resets quality only on a new boot id (the periodic status reset made ~3 % of
 * a 1 Hz stream questionable); this dataset keeps the old behaviour so that the committed artefacts and evaluation
 * reproduce from their cache, until the next retraining adopts the edge's.
 *
 * Memory: one pass over event time for the whole ward (the generators share it), keeping per patient only the
 * samples its open windows still need, so raw samples never pile up. The result is what takes room: 200 patients ×
 * 24 h is ~280,000 windows, ~1.4 GB of heap (measured), ~360 MB as JSON.
 */
import { computeWindowFeatures, isPlausible, type DeviceStatus, type SessionMessage, type VitalCode, type VitalsSample, type WindowFeatures } from '@vigil/contracts';
import { buildWard, wardDevices } from '@vigil/simulators';
// Not exported by their packages' entry points (yet): imported by path, in-process, never re-implemented.
import { loadEdgeConfig } from '../../../edge/src/config.ts';
import { SampleDeduper } from '../../../edge/src/dedupe.ts';
import { SignalQualityAssessor } from '../../../edge/src/signal-quality.ts';
import { createProgress } from '../../../simulators/src/progress.ts';
import { BASELINE_DEFAULTS, BaselineReplay, FirstEmissionWindows, type BaselineSample } from './baselines.ts';
import type { PatientSeries } from './series.ts';

export interface SimulatedDatasetOptions {
  seed: string;
  patients: number;
  hours: number;
  /** Share of patients per scenario, e.g. "sepsis:0.1,hypoxaemia:0.05" (the rest stable). Default: all stable. */
  scenarioMix?: string;
  /** Explicit episodes per bed, e.g. { 'bed-01': 'hypoxaemia@10m+5m/severe' }; they replace the mix there. */
  bedScenarios?: Readonly<Record<string, string>>;
  /** Artifact and technical-fault rates per device-day (simulators' DEFAULT_ARTIFACT_MIX) or none. */
  artifacts?: 'default' | 'none';
  /** Sliding feature window and its slide, ms (the cloud's featureWindowMs / featureSlideMs). */
  windowMs?: number;
  slideMs?: number;
  /** Event time of the start, epoch ms. */
  start?: number;
  /** Progress bar on stderr. */
  progress?: boolean;
  /** Share of beds with a wearable instead of an ICU monitor (the last beds, as the simulator's CLI places them). */
  wearableShare?: number;
  wardId?: string;
  /** Sees every sample as the cloud receives it, in arrival order (tests, diagnostics); not part of the cache key. */
  onSample?: (patientId: string, sample: BaselineSample) => void;
}

export const SIMULATED_DATASET_DEFAULTS = {
  artifacts: 'default',
  windowMs: 300_000, // ms: the cloud's featureWindowMs, 5 min of context
  slideMs: 60_000, // ms: the cloud's featureSlideMs
  start: Date.UTC(2026, 0, 1), // the simulator CLI's default start
  wearableShare: 0.25,
  wardId: 'ward-sim',
} as const;

const STEP_MS = 1000; // ms: the simulators' own stepping (generate-session.ts)

const bySendOrder = (a: SessionMessage, b: SessionMessage) =>
  a.sentAt - b.sentAt || (a.message.deviceId < b.message.deviceId ? -1 : a.message.deviceId > b.message.deviceId ? 1 : 0);

interface PatientBuild {
  windows: WindowFeatures[];
  features: FirstEmissionWindows<BaselineSample>;
  baselines: BaselineReplay;
}

/** The edge's ingest of one ward, reduced to what decides which samples reach the cloud and with what quality. */
function createEdge() {
  const { maxClockSkewMs } = loadEdgeConfig({});
  const quality = new SignalQualityAssessor();
  const deduper = new SampleDeduper();
  const skewed = (t: number, received: number) => Math.abs(t - received) > maxClockSkewMs;
  return {
    /** device-ingest.ts ingestVitals: the sample the cloud receives, or undefined when rejected or a duplicate. */
    vitals(m: VitalsSample, received: number): BaselineSample | undefined {
      for (const code in m.vitals) if (!isPlausible(code as VitalCode, m.vitals[code as VitalCode]!)) return undefined;
      if (skewed(m.t, received)) return undefined;
      if (deduper.check(m.deviceId, m.bootId, m.seq) !== 'new') return undefined;
      deduper.commit(m.deviceId, m.bootId, m.seq);
      return { t: m.t, deviceId: m.deviceId, bootId: m.bootId, vitals: m.vitals, quality: quality.assess(m.deviceId, m.t, m.vitals, m.flags) };
    },
    /** device-ingest.ts ingestStatus and local-pipeline.ts observer.status. */
    status(m: DeviceStatus, received: number): void {
      const t = m.reason === 'connection_lost' ? received : m.t;
      if (skewed(t, received) || m.state !== 'online') return;
      deduper.forgetDevice(m.deviceId, m.bootId);
      quality.forget(m.deviceId);
    },
  };
}

export async function buildSimulatedDataset(options: SimulatedDatasetOptions): Promise<PatientSeries[]> {
  const o = { ...SIMULATED_DATASET_DEFAULTS, ...options };
  const { windowMs, slideMs } = o;
  if (!Number.isSafeInteger(o.patients) || o.patients < 1) throw new RangeError(`patients must be a positive integer, got ${o.patients}`);
  if (!(o.hours > 0)) throw new RangeError(`hours must be > 0, got ${o.hours}`);
  if (!(o.wearableShare >= 0 && o.wearableShare <= 1)) throw new RangeError(`wearableShare must be in [0, 1], got ${o.wearableShare}`);
  const start = o.start;
  const end = start + Math.round(o.hours * 3_600_000);

  const devices = wardDevices(o.wardId, o.patients, Math.round(o.patients * o.wearableShare));
  const ward = buildWard({
    devices,
    seed: o.seed,
    start,
    end,
    ...(o.scenarioMix ? { scenarioMix: o.scenarioMix } : {}),
    ...(o.bedScenarios ? { bedScenarios: o.bedScenarios } : {}),
    artifacts: o.artifacts,
    bootIds: 'seeded',
  });
  const patientOf = new Map(devices.map((d) => [d.deviceId, d.patientId]));
  const builds = new Map<string, PatientBuild>();
  for (const d of devices) {
    if (builds.has(d.patientId)) continue;
    const windows: WindowFeatures[] = [];
    builds.set(d.patientId, {
      windows,
      // The cloud's sliding feature windows (stream-processor.ts featureWindows), first emissions.
      features: new FirstEmissionWindows<BaselineSample>({ sizeMs: windowMs, slideMs, outOfOrdernessMs: BASELINE_DEFAULTS.outOfOrdernessMs }, (w, samples) =>
        windows.push(computeWindowFeatures(samples, w)),
      ),
      baselines: new BaselineReplay(d.patientId),
    });
  }

  const edge = createEdge();
  const progress = createProgress('simulated dataset', end - start, process.stderr, o.progress ?? false);
  const started = performance.now();
  const batch: SessionMessage[] = [];
  for (let t = start, last = false; !last; t += STEP_MS) {
    const until = Math.min(t, end - 1); // messages sent before the end
    last = until === end - 1;
    batch.length = 0;
    for (const generator of ward.generators) for (const m of generator.advance(until)) batch.push(m);
    batch.sort(bySendOrder);
    for (const m of batch) {
      if (m.channel === 'status') edge.status(m.message, m.sentAt);
      if (m.channel !== 'vitals') continue;
      const sample = edge.vitals(m.message, m.sentAt);
      if (!sample) continue;
      const patientId = patientOf.get(sample.deviceId)!;
      const p = builds.get(patientId)!;
      o.onSample?.(patientId, sample);
      p.baselines.add(sample);
      p.features.add(sample);
    }
    progress.update(last ? end - start : until - start);
    // Let the event loop breathe on long builds (a progress redraw, a signal).
    if ((t - start) % 3_600_000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  const series: PatientSeries[] = [];
  for (const [patientId, p] of builds) {
    p.features.advanceTo(end);
    const { limitAlarms, news2Alarms, news2Scores } = p.baselines.finish(end);
    series.push({
      patientId,
      source: 'simulator',
      start,
      end,
      windowMs,
      slideMs,
      // A device clock running ahead can push the watermark past the end: keep the series' own span.
      windows: p.windows.filter((w) => w.end <= end),
      truth: ward.truth.filter((e) => e.patientId === patientId),
      limitAlarms,
      news2Alarms,
      news2Scores: news2Scores.filter((s) => s.t <= end),
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const patientHours = (builds.size * (end - start)) / 3_600_000;
  progress.finish(`${patientHours.toFixed(0)} patient-hours in ${seconds.toFixed(1)} s (${(patientHours / seconds).toFixed(1)} patient-hours/s)`);
  return series;
}
