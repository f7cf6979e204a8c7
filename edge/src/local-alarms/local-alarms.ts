/**
 * The edge's local alarms: one entry for the gateway. Critical limits per patient and technical alarms, with the
 * IEC 60601-1-8 state machine, working whether or not the cloud is reachable (ARCHITECTURE.md, "Edge autonomy").
 *
 * Feed it what the gateway makes durable (an UplinkSample / UplinkStatus record fits the inputs), the uplink's and
 * outbox's state, and a wall-clock tick; every alarm that changed comes back from the call and through `onChange`,
 * for the integrator to append to the outbox as an UplinkAlarm and push to the local view.
 *
 * Placement comes from the device registry (the directory), never from the record: a device not in this ward's
 * registry is ignored.
 */
import { PmError, type Alarm, type DeviceRegistryEntry, type LimitRule } from '@vigil/contracts';
import { CriticalLimits, type PatientLimits } from './critical-limits.ts';
import { conditionFromRule, LocalAlarmManager, type ConditionEvent } from './local-alarm-manager.ts';
import { TechnicalAlarmDetector, WARD_BED_ID, type LocalSample, type LocalStatus, type TechnicalAlarmOptions } from './technical-alarms.ts';

export interface LocalAlarmsOptions {
  wardId: string;
  /** The device registry; entries of other wards are ignored. */
  directory: readonly DeviceRegistryEntry[];
  /** Per-patient overrides (loadPatientLimits), merged by code into the defaults. */
  patientLimits?: PatientLimits;
  /** Default rules; EDGE_CRITICAL_RULES (the high-priority DEFAULT_LIMIT_RULES) unless given. */
  defaultRules?: readonly LimitRule[];
  technical?: Partial<TechnicalAlarmOptions>;
  /**
   * A sample that reaches the gateway more than this long after its event time (a device's buffered backlog after a
   * radio drop-out) is treated as late: history, never a new limit or technical alarm. Off unless set, because a
   * device clock running behind by more than this would silence that device's alarms; set it above the accepted
   * clock skew of healthy devices.
   */
  staleAfterMs?: number;
  /** Ended alarms kept in memory for history(). */
  historyLimit?: number;
  /** Wall clock: start of the link-down clock, and `receivedAt` of inputs that carry none. */
  now?: () => number;
  /** Called with every batch of changed alarms (never empty). */
  onChange?: (alarms: Alarm[]) => void;
}

export interface LocalAlarms {
  onSample(sample: LocalSample): Alarm[];
  onStatus(status: LocalStatus): Alarm[];
  onUplink(connected: boolean, now: number): Alarm[];
  onOutbox(full: boolean, now: number, detail?: string): Alarm[];
  tick(now: number): Alarm[];
  acknowledge(alarmId: string, by: string, at: number): Alarm[];
  /** Open alarms (active, latched, acknowledged) in alarm-list order. */
  open(): Alarm[];
  /** Recently ended alarms, newest first. */
  history(): Alarm[];
  get(alarmId: string): Alarm | undefined;
  rulesFor(patientId: string): readonly LimitRule[];
  /** Replace the registry (after provisioning); devices that left are no longer evaluated. */
  setDirectory(directory: readonly DeviceRegistryEntry[]): void;
}

function indexDirectory(wardId: string, directory: readonly DeviceRegistryEntry[]): Map<string, DeviceRegistryEntry> {
  const own = directory.filter((d) => d.wardId === wardId);
  const clash = own.find((d) => d.bedId === WARD_BED_ID);
  if (clash) {
    throw new PmError('PM_ERR_CONFIG_INVALID', `bed id '${WARD_BED_ID}' is reserved for ward-level alarms (device ${clash.deviceId})`);
  }
  return new Map(own.map((d) => [d.deviceId, d]));
}

export function createLocalAlarms(options: LocalAlarmsOptions): LocalAlarms {
  const { wardId } = options;
  const now = options.now ?? Date.now;
  let devices = indexDirectory(wardId, options.directory);
  const limits = new CriticalLimits({
    ...(options.defaultRules ? { defaults: options.defaultRules } : {}),
    ...(options.patientLimits ? { patients: options.patientLimits } : {}),
  });
  const technical = new TechnicalAlarmDetector(wardId, now(), options.technical);
  const manager = new LocalAlarmManager({ wardId, ...(options.historyLimit !== undefined ? { historyLimit: options.historyLimit } : {}) });

  const emit = (events: readonly ConditionEvent[]): Alarm[] => {
    const changed = manager.applyAll(events);
    if (changed.length > 0) options.onChange?.(changed);
    return changed;
  };

  return {
    onSample(sample) {
      const device = devices.get(sample.deviceId);
      if (!device) return [];
      const receivedAt = sample.receivedAt ?? now();
      const stale = options.staleAfterMs !== undefined && receivedAt - sample.t > options.staleAfterMs;
      const input = stale && !sample.late ? { ...sample, late: true } : sample;
      const events: ConditionEvent[] = technical.onSample(device, input, receivedAt);
      for (const e of limits.evaluate({ patientId: device.patientId, t: input.t, late: input.late, vitals: input.vitals, quality: input.quality })) {
        events.push(e.type === 'raise' ? { type: 'raise', condition: conditionFromRule(e, device.bedId) } : { type: 'clear', patientId: e.patientId, code: e.rule.code, at: e.at });
      }
      return emit(events);
    },
    onStatus(status) {
      const device = devices.get(status.deviceId);
      if (!device) return [];
      return emit(technical.onStatus(device, status, status.receivedAt ?? now()));
    },
    onUplink: (connected, at) => emit(technical.onUplink(connected, at)),
    onOutbox: (full, at, detail) => emit(technical.onOutbox(full, at, detail)),
    tick: (at) => emit(technical.tick(at)),
    acknowledge(alarmId, by, at) {
      const changed = manager.acknowledge(alarmId, by, at);
      if (changed.length > 0) options.onChange?.(changed);
      return changed;
    },
    open: () => manager.open(),
    history: () => manager.history(),
    get: (alarmId) => manager.get(alarmId),
    rulesFor: (patientId) => limits.rulesFor(patientId),
    setDirectory(directory) {
      devices = indexDirectory(wardId, directory);
    },
  };
}
