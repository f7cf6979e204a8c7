/**
 * The ward's local consumers of accepted device messages, behind the ingest's observer hook:
 *   signal quality (per device and vital)      → the quality verdicts each sample carries
 *   numerics windows (per patient, event time) → 'window' records in the outbox
 *   waveform summaries and the raw-wave ring   → 'wave_summary' records; raw 'wave' records only while an alarm is
 *                                                 active for the patient or the cloud asked for them
 *   local alarms (critical limits, technical)  → 'alarm' records in the outbox, pushed to the local view
 *   local ward state                           → the snapshot the local view serves when the cloud is away
 *   recorder                                   → session files of the device-level stream
 * Everything derived goes through the same durable outbox as the samples, so it reaches the cloud after an outage.
 */
import type { Alarm, DeviceRegistryEntry, UplinkRecord, WardSnapshot } from '@vigil/contracts';
import type { Logger } from 'pino';
import type { IngestObserver, QualityAssessor } from './device-ingest.ts';
import type { DeviceDirectory } from './device-registry.ts';
import { createLocalAlarms, loadPatientLimits, type LocalAlarms } from './local-alarms/index.ts';
import type { LocalView } from './local-view.ts';
import { LocalWardState } from './local-ward-state.ts';
import type { EdgeMetrics } from './metrics.ts';
import { NumericWindows } from './numeric-windows.ts';
import type { Outbox } from './outbox.ts';
import { createRecorder, type Recorder } from './recorder.ts';
import { SignalQualityAssessor } from './signal-quality.ts';
import { WaveformForwarder } from './waveform-forwarder.ts';
import { WaveformSummarizer } from './waveform-summary.ts';

export interface LocalPipelineOptions {
  wardId: string;
  gatewayId: string;
  directory: DeviceDirectory;
  outbox: Outbox;
  metrics: EdgeMetrics;
  logger: Logger;
  windowMs: number;
  patientLimitsFile?: string | undefined;
  technical?: { linkDownDelayMs: number; sensorOffDelayMs: number };
  recorder?: { dir: string; waves: boolean } | undefined;
  now: () => number;
}

export function createLocalPipeline(options: LocalPipelineOptions) {
  const { outbox, metrics, logger, now, wardId } = options;
  const devices = options.directory.all();
  const quality = new SignalQualityAssessor();
  const windows = new NumericWindows({ windowMs: options.windowMs });
  const summaries = new WaveformSummarizer({ windowMs: options.windowMs });
  const forwarder = new WaveformForwarder();
  const ward = new LocalWardState(wardId, devices);
  /** Each device's current boot: only a new boot resets its signal-quality state, not the periodic online status. */
  const boots = new Map<string, string>();
  let view: LocalView | undefined;

  const enqueue = (records: readonly UplinkRecord[]): void => {
    for (const record of records) outbox.enqueue(record, now());
  };

  /** A physiological alarm opens the patient's raw waveforms to the cloud while it lasts. */
  function onAlarms(changed: Alarm[]): void {
    for (const alarm of changed) {
      enqueue([{ type: 'alarm', alarm }]);
      view?.alarm(alarm);
      if (alarm.state === 'active' && alarm.updatedAt === alarm.raisedAt) metrics.localAlarms.inc({ priority: alarm.priority, kind: alarm.kind });
      if (alarm.kind !== 'physiological') continue;
      const anyOpen = localAlarms.open().some((a) => a.patientId === alarm.patientId && a.kind === 'physiological' && a.state === 'active');
      if (anyOpen) enqueue(forwarder.activate(alarm.patientId, 'alarm'));
      else forwarder.deactivate(alarm.patientId, 'alarm');
    }
  }

  const localAlarms: LocalAlarms = createLocalAlarms({
    wardId,
    directory: devices,
    ...(options.patientLimitsFile ? { patientLimits: loadPatientLimits(options.patientLimitsFile) } : {}),
    ...(options.technical ? { technical: options.technical } : {}),
    now,
    onChange: onAlarms,
  });

  const recorder: Recorder | undefined = options.recorder
    ? createRecorder({
        dir: options.recorder.dir,
        wardId,
        gatewayId: options.gatewayId,
        devices: () => options.directory.all(),
        waves: options.recorder.waves,
        now,
        onError: (err) => logger.error({ err: err.message }, 'recorder write failed'),
      })
    : undefined;

  const placement = (device: DeviceRegistryEntry) => ({ patientId: device.patientId, bedId: device.bedId, deviceId: device.deviceId, deviceType: device.deviceType });

  const observer: IngestObserver = {
    sample(device, sample, record) {
      boots.set(device.deviceId, sample.bootId);
      enqueue(windows.add(device, record.t, record.vitals, record.quality));
      localAlarms.onSample(record);
      const update = ward.applySample(record);
      if (update) view?.vitals(update);
      recorder?.record(device, 'vitals', sample, record.receivedAt);
    },
    status(device, status, record) {
      // Devices send an online status every minute (device-generator.ts); resetting on each one made the next
      // settleSamples − 1 values of every vital questionable (~3 % of a 1 Hz stream). A new boot does reset.
      if (status.state === 'online' && boots.get(device.deviceId) !== status.bootId) quality.forget(device.deviceId);
      boots.set(device.deviceId, status.bootId);
      localAlarms.onStatus(record);
      const update = ward.applyStatus(record);
      if (update) view?.device(update);
      recorder?.record(device, 'status', status, record.receivedAt);
    },
    wave(device, chunk, receivedAt) {
      enqueue(summaries.add(placement(device), chunk));
      enqueue(forwarder.add(placement(device), chunk));
      recorder?.record(device, 'wave', chunk, receivedAt);
    },
  };

  const assess: QualityAssessor = (deviceId, t, vitals, flags) => quality.assess(deviceId, t, vitals, flags);

  return {
    observer,
    quality: assess,
    alarms: localAlarms,
    attachView(v: LocalView): void {
      view = v;
    },
    snapshot(): WardSnapshot {
      return ward.snapshot(localAlarms.open(), now());
    },
    /** The cloud asked for a patient's raw waveforms until `until` (event time). */
    requestWaveforms(patientId: string, until: number): void {
      enqueue(forwarder.activate(patientId, 'request', until));
    },
    /** Wall-clock duties, once a second: idle windows out, data gaps, link and outbox alarms, recorder figures. */
    tick(uplinkConnected: boolean): void {
      const t = now();
      enqueue(windows.advance(t));
      enqueue(summaries.advance(t));
      localAlarms.tick(t);
      localAlarms.onUplink(uplinkConnected, t);
      // Full by its bound, or by its disk (commits failing): either way the edge cannot keep what devices send.
      const failure = outbox.failure;
      localAlarms.onOutbox(outbox.size >= outbox.bound || failure !== undefined, t, failure ? `outbox commits failing: ${failure.message}` : `${outbox.size} of ${outbox.bound} records`);
      if (recorder) {
        const stats = recorder.stats();
        metrics.recorderRecords.set(stats.written);
        metrics.recorderDrops.set(stats.dropped + stats.lost);
      }
    },
    /** Shutdown: emit the open windows and summaries into the outbox, close the recorder's file. */
    async close(): Promise<void> {
      enqueue(windows.flush());
      enqueue(summaries.flush());
      await recorder?.close();
    },
  };
}
export type LocalPipeline = ReturnType<typeof createLocalPipeline>;
