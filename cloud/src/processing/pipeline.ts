/**
 * One uplink batch, in one transaction: store each record idempotently, and for records that are new, update the
 * ward state and run the detectors. Only after the commit are the changes pushed to dashboards; only after that
 * is the batch acknowledged (by the caller).
 */
import type { Alarm, BedState, DeviceUpdate, UplinkBatch, VitalsUpdate } from '@vigil/contracts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import type { CloudMetrics } from '../metrics.ts';
import type { SqliteStore } from '../storage/sqlite-store.ts';
import type { LimitRuleEngine } from '@vigil/contracts';
import type { WardStateCache } from './ward-state.ts';

export interface BatchOutcome {
  stored: number;
  duplicates: number;
  vitals: VitalsUpdate[];
  devices: DeviceUpdate[];
  beds: BedState[];
  alarms: Alarm[];
}

export interface PipelineDeps {
  store: SqliteStore;
  wardState: WardStateCache;
  rules: LimitRuleEngine;
  alarms: AlarmManager;
  metrics: CloudMetrics;
  now: () => number;
}

export function createPipeline(deps: PipelineDeps) {
  const { store, wardState, rules, alarms, metrics, now } = deps;

  return {
    processBatch(batch: UplinkBatch): BatchOutcome {
      const outcome: BatchOutcome = { stored: 0, duplicates: 0, vitals: [], devices: [], beds: [], alarms: [] };
      const changedBeds = new Map<string, BedState>();
      const storedAt = now();
      store.transaction(() => {
        for (const record of batch.records) {
          if (record.type === 'sample') {
            if (!store.insertSample(batch.wardId, record, storedAt)) {
              outcome.duplicates++;
              continue;
            }
            outcome.stored++;
            const bed = wardState.applySample(batch.wardId, record);
            changedBeds.set(`${bed.wardId}\u0000${bed.bedId}`, bed);
            outcome.vitals.push({ wardId: batch.wardId, bedId: record.bedId, patientId: record.patientId, t: record.t, vitals: record.vitals, quality: record.quality });
            if (!record.late) metrics.endToEnd.observe(Math.max(0, storedAt - record.t) / 1000);
            const placement = { wardId: batch.wardId, bedId: record.bedId, patientId: record.patientId };
            for (const event of rules.evaluate(record)) {
              for (const changed of alarms.apply(event, placement)) {
                outcome.alarms.push(changed);
                if (changed.state === 'active') metrics.alarms.inc({ priority: changed.priority, kind: changed.kind });
              }
            }
          } else if (record.type === 'status') {
            if (!store.insertStatus(batch.wardId, record)) {
              outcome.duplicates++;
              continue;
            }
            const bed = wardState.applyStatus(batch.wardId, record);
            changedBeds.set(`${bed.wardId}\u0000${bed.bedId}`, bed);
            const device = bed.devices.find((d) => d.deviceId === record.deviceId);
            if (device) outcome.devices.push({ ...device, wardId: batch.wardId, bedId: record.bedId, patientId: record.patientId });
          } else if (record.type === 'window') {
            if (!store.insertWindow(batch.wardId, record)) outcome.duplicates++;
          } else if (record.type === 'wave_summary') {
            if (!store.insertWaveSummary(batch.wardId, record)) outcome.duplicates++;
          } else if (record.type === 'wave') {
            if (!store.insertWave(batch.wardId, record)) outcome.duplicates++;
          } else if (record.type === 'alarm') {
            // The edge's local alarms are kept as reports. Its technical alarms (sensor off, device offline, battery,
            // data gap, link down) have no cloud-side detector, so they join the ward's alarm list; its limit alarms
            // duplicate the cloud's own rules, which stay the source of the ward's physiological alarms.
            if (!store.insertEdgeAlarm(batch.wardId, record.alarm)) {
              outcome.duplicates++;
              continue;
            }
            if (record.alarm.kind === 'technical') {
              const adopted = alarms.adopt({ ...record.alarm, wardId: batch.wardId });
              if (adopted) outcome.alarms.push(adopted);
            }
          }
        }
        for (const bed of changedBeds.values()) store.saveBed(bed);
      });
      outcome.beds = [...changedBeds.values()];
      metrics.batches.inc();
      metrics.samplesStored.inc(outcome.stored);
      metrics.duplicates.inc(outcome.duplicates);
      return outcome;
    },
  };
}
export type Pipeline = ReturnType<typeof createPipeline>;
