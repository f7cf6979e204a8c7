/**
 * What an edge gateway does to device messages before the cloud sees them, for a replay that goes straight into
 * cloud ingest: the edge's own code (signal-quality.ts, dedupe.ts, the catalogue's plausibility), with placement
 * from the session header instead of a device registry. Mirrors edge/src/device-ingest.ts:
 *   vitals: implausible value → the whole sample rejected; duplicate / regressed (deviceId, bootId, seq) → dropped;
 *           otherwise an UplinkSample with the SignalQualityAssessor's verdicts, receivedAt = send time;
 *   status: an UplinkStatus; `online` under a new boot id resets the device's dedupe boots and quality state
 *           (local-pipeline.ts: the periodic `online` of a running device resets nothing);
 *   wave:   not forwarded (the edge sends raw waveforms only on request or during an alarm); counted.
 * Clock skew cannot arise: a replay's gateway clock is the session's own time.
 */
import { isPlausible, type DeviceStatus, type SessionDevice, type SessionMessage, type UplinkRecord, type UplinkSample, type UplinkStatus, type VitalCode, type VitalsSample } from '@vigil/contracts';
import { SampleDeduper, SignalQualityAssessor } from '@vigil/edge';

export interface EdgeEquivalentStats {
  samples: number;
  statuses: number;
  rejected: number;
  duplicates: number;
  waves: number;
  /** Messages of a device the header does not list. */
  unknownDevice: number;
}

export class EdgeEquivalent {
  readonly stats: EdgeEquivalentStats = { samples: 0, statuses: 0, rejected: 0, duplicates: 0, waves: 0, unknownDevice: 0 };
  readonly #devices: ReadonlyMap<string, SessionDevice>;
  readonly #quality = new SignalQualityAssessor();
  readonly #deduper = new SampleDeduper();
  /** Boots each device has samples under: forgetDevice scans every boot held, so it runs only when it can matter. */
  readonly #boots = new Map<string, Set<string>>();
  /** The boot each device's quality state belongs to (as local-pipeline.ts keeps it). */
  readonly #qualityBoot = new Map<string, string>();

  constructor(devices: readonly SessionDevice[]) {
    this.#devices = new Map(devices.map((d) => [d.deviceId, d]));
  }

  /** The uplink record the edge would forward for this message, or undefined when it forwards none. */
  convert(m: SessionMessage): UplinkRecord | undefined {
    const device = this.#devices.get(m.message.deviceId);
    if (!device) {
      this.stats.unknownDevice++;
      return undefined;
    }
    if (m.channel === 'vitals') return this.#vitals(device, m.message, m.sentAt);
    if (m.channel === 'status') return this.#status(device, m.message, m.sentAt);
    this.stats.waves++;
    return undefined;
  }

  #vitals(device: SessionDevice, s: VitalsSample, received: number): UplinkSample | undefined {
    for (const code in s.vitals) {
      if (!isPlausible(code as VitalCode, s.vitals[code as VitalCode]!)) {
        this.stats.rejected++;
        return undefined;
      }
    }
    const verdict = this.#deduper.check(s.deviceId, s.bootId, s.seq);
    if (verdict !== 'new') {
      this.stats[verdict === 'duplicate' ? 'duplicates' : 'rejected']++;
      return undefined;
    }
    this.#deduper.commit(s.deviceId, s.bootId, s.seq);
    let boots = this.#boots.get(s.deviceId);
    if (!boots) this.#boots.set(s.deviceId, (boots = new Set()));
    boots.add(s.bootId);
    this.#qualityBoot.set(s.deviceId, s.bootId);
    this.stats.samples++;
    return {
      type: 'sample',
      patientId: device.patientId,
      bedId: device.bedId,
      deviceId: device.deviceId,
      deviceType: device.deviceType,
      bootId: s.bootId,
      seq: s.seq,
      t: s.t,
      receivedAt: received,
      vitals: s.vitals,
      quality: this.#quality.assess(s.deviceId, s.t, s.vitals, s.flags),
      ...(s.flags ? { flags: s.flags } : {}),
      late: false,
    };
  }

  #status(device: SessionDevice, status: DeviceStatus, received: number): UplinkStatus {
    // As device-ingest.ts: a Last Will's time is when the gateway learns of the loss.
    const t = status.reason === 'connection_lost' ? received : status.t;
    if (status.state === 'online') {
      const boots = this.#boots.get(status.deviceId);
      if (boots && (boots.size > 1 || !boots.has(status.bootId))) {
        this.#deduper.forgetDevice(status.deviceId, status.bootId);
        this.#boots.set(status.deviceId, new Set(boots.has(status.bootId) ? [status.bootId] : []));
      }
      if (this.#qualityBoot.get(status.deviceId) !== status.bootId) this.#quality.forget(status.deviceId);
      this.#qualityBoot.set(status.deviceId, status.bootId);
    }
    this.stats.statuses++;
    return {
      type: 'status',
      patientId: device.patientId,
      bedId: device.bedId,
      deviceId: device.deviceId,
      deviceType: device.deviceType,
      bootId: status.bootId,
      t,
      receivedAt: received,
      state: status.state,
      reason: status.reason,
      ...(status.battery !== undefined ? { battery: status.battery } : {}),
      ...(status.signal !== undefined ? { signal: status.signal } : {}),
    };
  }
}
