/**
 * Technical alarms (IEC 60601-1-8: equipment and communication faults are alarm conditions too; CLINICAL.md,
 * "Alarm systems"). The detector turns samples, device statuses and the gateway's own state into condition events
 * for the LocalAlarmManager. Every technical alarm is non-latching: it ends by itself when the fault is gone.
 *
 * Time base, per code (disclosed, as the standard asks for condition delays):
 *   SENSOR_OFF, BATTERY_LOW, BATTERY_CRITICAL, DEVICE_OFFLINE: event time (sample / status `t`); replayable.
 *   DATA_GAP, CLOUD_LINK_DOWN, OUTBOX_FULL: wall time, because they are about something *not* arriving (or the
 *     gateway itself); they are decided in `tick(now)` or in the call that reports the change. A replay on a virtual
 *     clock that passes its own `now` and `receivedAt` gets the same ids.
 *
 * Ward-level conditions (CLOUD_LINK_DOWN, OUTBOX_FULL) concern no patient, but the Alarm schema needs a bed and a
 * patient: they are attached once to the ward pseudo bed WARD_BED_ID ('ward') with the ward id as patient id (both
 * valid Ids). One alarm for the ward, not one per bed: a copy per bed would be an alarm flood with N acknowledgements.
 */
import type { AlarmPriority, DeviceRegistryEntry, DeviceType, UplinkSample, UplinkStatus, VitalCode } from '@vigil/contracts';
import type { AlarmCondition, ConditionEvent, ConditionRef } from './local-alarm-manager.ts';

/** The bed id of ward-level technical alarms. A real bed may not use it (createLocalAlarms refuses such a registry). */
export const WARD_BED_ID = 'ward';

export const TECHNICAL_ALARMS = {
  // A sensor off hides the patient's limit alarms (only good values start a condition), hence medium.
  SENSOR_OFF: { priority: 'medium', label: 'Sensor off' },
  BATTERY_LOW: { priority: 'low', label: 'Battery low' },
  // Monitoring stops within minutes: medium.
  BATTERY_CRITICAL: { priority: 'medium', label: 'Battery critically low' },
  DATA_GAP: { priority: 'medium', label: 'No data from device' },
  DEVICE_OFFLINE: { priority: 'medium', label: 'Device offline' },
  // Local alarms keep working, but the central station no longer sees this ward.
  CLOUD_LINK_DOWN: { priority: 'medium', label: 'Central station link down' },
  OUTBOX_FULL: { priority: 'medium', label: 'Gateway outbox full: oldest data being dropped' },
} as const satisfies Record<string, { priority: AlarmPriority; label: string }>;
export type TechnicalCode = keyof typeof TECHNICAL_ALARMS;

export interface TechnicalAlarmOptions {
  /**
   * SENSOR_OFF condition delay, ms of event time. Long enough that repositioning a probe does not alarm, and no
   * longer than the SpO2 and rate limit delays (10–15 s, DEFAULT_LIMIT_RULES) that the sensor off is hiding.
   */
  sensorOffDelayMs: number;
  /** BATTERY_LOW below this, %: the simulators' and vitals catalogue's low mark (normal.min of 'battery'). */
  batteryLowPercent: number;
  /** BATTERY_LOW ends at or above this, % (hysteresis: a reading wobbling at 19/20 % is one alarm, not ten). */
  batteryLowClearPercent: number;
  /** BATTERY_CRITICAL below this, % (replaces BATTERY_LOW: one battery alarm per device at a time). */
  batteryCriticalPercent: number;
  batteryCriticalClearPercent: number;
  /** DATA_GAP when an online device has sent nothing for more than dataGapFactor × its sample interval. */
  dataGapFactor: number;
  /** Expected numerics interval by device type, ms, until 3 intervals have been observed (then the median of the last 9). */
  sampleIntervalMs: Record<DeviceType, number>;
  /** CLOUD_LINK_DOWN once the uplink has been disconnected this long, ms of wall time. */
  linkDownDelayMs: number;
  /** An orderly 'shutdown' status raises DEVICE_OFFLINE too (default: only a Last Will, i.e. connection_lost). */
  offlineOnShutdown: boolean;
}

export const DEFAULT_TECHNICAL_OPTIONS: TechnicalAlarmOptions = {
  sensorOffDelayMs: 10_000, // 10 s
  batteryLowPercent: 20, // %
  batteryLowClearPercent: 25, // %
  batteryCriticalPercent: 5, // %
  batteryCriticalClearPercent: 10, // %
  dataGapFactor: 5, // × interval: ICU monitor 5 s, wearable 25 s
  sampleIntervalMs: { 'icu-monitor': 1_000, wearable: 5_000 }, // the simulators' device defaults
  linkDownDelayMs: 30_000, // 30 s: rides out a broker restart (reconnect every 1 s), tells staff within half a minute
  offlineOnShutdown: false,
};

/** The device's placement, from the registry. */
export type DevicePlacement = Pick<DeviceRegistryEntry, 'deviceId' | 'deviceType' | 'patientId' | 'bedId'>;
/** What the detectors need of a sample: an UplinkSample record fits. `receivedAt` is wall time (default: now). */
export type LocalSample = Pick<UplinkSample, 'deviceId' | 't' | 'vitals' | 'quality' | 'late'> & { receivedAt?: number };
/** What the detectors need of a status: an UplinkStatus record fits. */
export type LocalStatus = Pick<UplinkStatus, 'deviceId' | 't' | 'state' | 'reason'> & { battery?: number | undefined; receivedAt?: number };

type BatteryLevel = 'ok' | 'low' | 'critical';

interface DeviceTrack {
  device: DevicePlacement;
  /** Newest sample event time: older samples do not cause transitions (history only). */
  lastT: number;
  /** Vitals currently reported sensor_off, with the event time they went off. */
  offSince: Map<VitalCode, number>;
  sensorOffRaised: boolean;
  battery: BatteryLevel;
  batteryT: number;
  online: boolean;
  statusT: number;
  offlineRaised: boolean;
  /** Wall time of the last data (sample, or the online status) for DATA_GAP. */
  lastDataAt: number | null;
  lastSampleT: number | null;
  intervals: number[];
  gapRaised: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

export class TechnicalAlarmDetector {
  readonly wardId: string;
  readonly options: TechnicalAlarmOptions;
  readonly #devices = new Map<string, DeviceTrack>();
  /** Wall time since which the uplink is down; null while connected. */
  #linkDownSince: number | null;
  #linkRaised = false;
  #outboxRaised = false;

  /**
   * @param startedAt wall time the gateway started. The uplink counts as down from then until `onUplink(true)`:
   *   a gateway that never reaches the cloud must say so too.
   */
  constructor(wardId: string, startedAt: number, options: Partial<TechnicalAlarmOptions> = {}) {
    this.wardId = wardId;
    this.options = { ...DEFAULT_TECHNICAL_OPTIONS, ...options };
    this.#linkDownSince = startedAt;
  }

  /** The device's track; a device reassigned to another patient or bed starts afresh, its open conditions ended. */
  #track(device: DevicePlacement, at: number, events: ConditionEvent[]): DeviceTrack {
    let track = this.#devices.get(device.deviceId);
    if (!track || track.device.patientId !== device.patientId || track.device.bedId !== device.bedId) {
      if (track) {
        const old = track.device;
        if (track.sensorOffRaised) events.push(this.#clear('SENSOR_OFF', old, at, 'device reassigned'));
        if (track.gapRaised) events.push(this.#clear('DATA_GAP', old, at, 'device reassigned'));
        if (track.offlineRaised) events.push(this.#clear('DEVICE_OFFLINE', old, at, 'device reassigned'));
        if (track.battery === 'low') events.push(this.#clear('BATTERY_LOW', old, at, 'device reassigned'));
        if (track.battery === 'critical') events.push(this.#clear('BATTERY_CRITICAL', old, at, 'device reassigned'));
      }
      track = {
        device,
        lastT: -Infinity,
        offSince: new Map(),
        sensorOffRaised: false,
        battery: 'ok',
        batteryT: -Infinity,
        online: false,
        statusT: -Infinity,
        offlineRaised: false,
        lastDataAt: null,
        lastSampleT: null,
        intervals: [],
        gapRaised: false,
      };
      this.#devices.set(device.deviceId, track);
    }
    return track;
  }

  #condition(code: TechnicalCode, d: DevicePlacement | null, onsetAt: number, raisedAt: number, text: string, evidence: AlarmCondition['evidence']): ConditionEvent {
    const { priority, label } = TECHNICAL_ALARMS[code];
    const placement = d ? { patientId: d.patientId, bedId: d.bedId, subject: d.deviceId } : { patientId: this.wardId, bedId: WARD_BED_ID };
    return {
      type: 'raise',
      condition: {
        ...placement,
        code,
        priority,
        kind: 'technical',
        source: 'edge-technical',
        latching: false,
        message: `${label}${text ? `: ${text}` : ''}`,
        onsetAt,
        raisedAt,
        evidence: { windowStart: onsetAt, windowEnd: raisedAt, ...evidence },
      },
    };
  }

  #clear(code: TechnicalCode, d: DevicePlacement | null, at: number, detail?: string): ConditionEvent {
    const ref: ConditionRef = d ? { patientId: d.patientId, code, subject: d.deviceId } : { patientId: this.wardId, code };
    return { type: 'clear', ...ref, at, ...(detail ? { detail } : {}) };
  }

  #interval(track: DeviceTrack): number {
    return track.intervals.length >= 3 ? median(track.intervals) : this.options.sampleIntervalMs[track.device.deviceType];
  }

  onSample(device: DevicePlacement, sample: LocalSample, receivedAt: number): ConditionEvent[] {
    const events: ConditionEvent[] = [];
    const track = this.#track(device, receivedAt, events);
    // Any arriving data ends a gap, late or not: the device is evidently talking again.
    track.online = true;
    track.lastDataAt = Math.max(track.lastDataAt ?? -Infinity, receivedAt);
    if (track.gapRaised) {
      track.gapRaised = false;
      events.push(this.#clear('DATA_GAP', device, receivedAt));
    }
    if (!sample.late && track.lastSampleT !== null && sample.t > track.lastSampleT) {
      track.intervals.push(Math.min(sample.t - track.lastSampleT, 300_000));
      if (track.intervals.length > 9) track.intervals.shift();
    }
    if (!sample.late) track.lastSampleT = Math.max(track.lastSampleT ?? -Infinity, sample.t);
    // Late (backlog) and out-of-order samples are history: they never raise or end a condition.
    if (sample.late || sample.t <= track.lastT) return events;
    track.lastT = sample.t;

    for (const [vital, quality] of Object.entries(sample.quality) as Array<[VitalCode, string]>) {
      if (quality === 'sensor_off') {
        if (!track.offSince.has(vital)) track.offSince.set(vital, sample.t);
      } else track.offSince.delete(vital);
    }
    events.push(...this.#sensorOff(track, sample.t));
    const battery = sample.vitals.battery;
    if (battery !== undefined) events.push(...this.#battery(track, battery, sample.t));
    return events;
  }

  #sensorOff(track: DeviceTrack, t: number): ConditionEvent[] {
    const { device } = track;
    if (track.offSince.size === 0) {
      if (!track.sensorOffRaised) return [];
      track.sensorOffRaised = false;
      return [this.#clear('SENSOR_OFF', device, t)];
    }
    const onset = Math.min(...track.offSince.values());
    const delay = this.options.sensorOffDelayMs;
    if (track.sensorOffRaised || t - onset < delay) return [];
    track.sensorOffRaised = true;
    const vitals = [...track.offSince.keys()];
    return [
      this.#condition('SENSOR_OFF', device, onset, t, `${vitals.join(', ')} on ${device.deviceId}`, {
        vital: vitals[0],
        conditionDelayMs: delay,
        detail: `sensor off: ${vitals.join(', ')} (device ${device.deviceId})`,
      }),
    ];
  }

  #battery(track: DeviceTrack, percent: number, t: number): ConditionEvent[] {
    if (t <= track.batteryT) return [];
    track.batteryT = t;
    const o = this.options;
    const before = track.battery;
    let after: BatteryLevel = before;
    if (percent < o.batteryCriticalPercent) after = 'critical';
    else if (before === 'critical') after = percent >= o.batteryLowClearPercent ? 'ok' : percent >= o.batteryCriticalClearPercent ? 'low' : 'critical';
    else if (percent < o.batteryLowPercent) after = 'low';
    else if (before === 'low' && percent >= o.batteryLowClearPercent) after = 'ok';
    if (after === before) return [];
    track.battery = after;
    const { device } = track;
    const events: ConditionEvent[] = [];
    if (before === 'low') events.push(this.#clear('BATTERY_LOW', device, t, `battery ${percent} %`));
    if (before === 'critical') events.push(this.#clear('BATTERY_CRITICAL', device, t, `battery ${percent} %`));
    if (after !== 'ok') {
      const code = after === 'low' ? 'BATTERY_LOW' : 'BATTERY_CRITICAL';
      const limit = after === 'low' ? o.batteryLowPercent : o.batteryCriticalPercent;
      events.push(
        this.#condition(code, device, t, t, `${percent} % on ${device.deviceId}`, {
          vital: 'battery',
          value: percent,
          limit,
          comparator: '<',
          conditionDelayMs: 0,
          detail: `device ${device.deviceId}`,
        }),
      );
    }
    return events;
  }

  onStatus(device: DevicePlacement, status: LocalStatus, receivedAt: number): ConditionEvent[] {
    const events: ConditionEvent[] = [];
    const track = this.#track(device, status.t, events);
    if (status.t < track.statusT) return events;
    track.statusT = status.t;
    if (status.battery !== undefined) events.push(...this.#battery(track, status.battery, status.t));
    if (status.state === 'online') {
      if (!track.online) track.lastDataAt = receivedAt; // the gap clock starts when the device comes (back) online
      track.online = true;
      if (track.offlineRaised) {
        track.offlineRaised = false;
        events.push(this.#clear('DEVICE_OFFLINE', device, status.t, `online again (${status.reason})`));
      }
      return events;
    }
    // Offline: the per-sample conditions of this device are superseded (no samples will end them).
    track.online = false;
    track.offSince.clear();
    track.lastSampleT = null;
    if (track.sensorOffRaised) {
      track.sensorOffRaised = false;
      events.push(this.#clear('SENSOR_OFF', device, status.t, 'device offline'));
    }
    if (track.gapRaised) {
      track.gapRaised = false;
      events.push(this.#clear('DATA_GAP', device, status.t, 'device offline'));
    }
    const alarm = status.reason === 'connection_lost' || (status.reason === 'shutdown' && this.options.offlineOnShutdown);
    if (alarm && !track.offlineRaised) {
      track.offlineRaised = true;
      const why = status.reason === 'connection_lost' ? 'connection lost' : 'shut down';
      // The delay before a Last Will fires is the MQTT keep-alive × 1.5 [MQTT-3.1.2-24]; the edge adds none.
      events.push(this.#condition('DEVICE_OFFLINE', device, status.t, status.t, `${device.deviceId} (${why})`, { conditionDelayMs: 0, detail: `device ${device.deviceId}: ${why}` }));
    }
    return events;
  }

  /** The uplink's connection changed (wall time). Down is only an alarm after linkDownDelayMs, in tick(). */
  onUplink(connected: boolean, now: number): ConditionEvent[] {
    if (!connected) {
      this.#linkDownSince ??= now;
      return [];
    }
    this.#linkDownSince = null;
    if (!this.#linkRaised) return [];
    this.#linkRaised = false;
    return [this.#clear('CLOUD_LINK_DOWN', null, now, 'uplink connected')];
  }

  /** The outbox hit its bound (the integrator's policy applies) or has room again. No delay: data is being lost. */
  onOutbox(full: boolean, now: number, detail?: string): ConditionEvent[] {
    if (full === this.#outboxRaised) return [];
    this.#outboxRaised = full;
    if (!full) return [this.#clear('OUTBOX_FULL', null, now)];
    return [this.#condition('OUTBOX_FULL', null, now, now, detail ?? '', { conditionDelayMs: 0, ...(detail ? { detail } : {}) })];
  }

  /** Wall-clock checks: DATA_GAP and CLOUD_LINK_DOWN. Call it every second or so (that is their signal delay). */
  tick(now: number): ConditionEvent[] {
    const events: ConditionEvent[] = [];
    for (const track of this.#devices.values()) {
      if (!track.online || track.gapRaised || track.lastDataAt === null) continue;
      const interval = this.#interval(track);
      const gapMs = Math.round(this.options.dataGapFactor * interval);
      if (now - track.lastDataAt <= gapMs) continue;
      track.gapRaised = true;
      const silent = Math.round((now - track.lastDataAt) / 1000);
      events.push(
        this.#condition('DATA_GAP', track.device, track.lastDataAt, now, `${track.device.deviceId} silent for ${silent} s`, {
          conditionDelayMs: gapMs,
          detail: `no sample for more than ${this.options.dataGapFactor} \u00d7 ${interval} ms (device ${track.device.deviceId})`,
        }),
      );
    }
    const since = this.#linkDownSince;
    if (since !== null && !this.#linkRaised && now - since >= this.options.linkDownDelayMs) {
      this.#linkRaised = true;
      const down = Math.round((now - since) / 1000);
      events.push(
        this.#condition('CLOUD_LINK_DOWN', null, since, now, `no uplink for ${down} s; alarms are served by this gateway`, {
          conditionDelayMs: this.options.linkDownDelayMs,
          detail: 'loss of communication between the ward gateway and the central station (IEC 60601-1-8 distributed alarm system)',
        }),
      );
    }
    return events;
  }
}
