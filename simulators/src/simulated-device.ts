/**
 * One simulated device on the wire: an MQTT client with the device's own credentials, a bootId drawn at start,
 * a sequence number per sample, and an `offline` Last Will so the gateway learns of a lost device.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { topics, type DeviceCredential, type DeviceStatus, type VitalsSample } from '@vigil/contracts';
import { disableNagle } from '@vigil/contracts/mqtt-node';
import type { Numerics } from './device-models.ts';

export interface SimulatedDeviceOptions {
  brokerUrl: string;
  credential: DeviceCredential;
  bootId: string;
  /** Wall-clock source for status messages; samples carry the simulation's event time. */
  now: () => number;
}

export class SimulatedDevice {
  readonly credential: DeviceCredential;
  readonly bootId: string;
  #client: MqttClient | undefined;
  #seq = 0;
  readonly #options: SimulatedDeviceOptions;

  constructor(options: SimulatedDeviceOptions) {
    this.#options = options;
    this.credential = options.credential;
    this.bootId = options.bootId;
  }

  get deviceId(): string {
    return this.credential.deviceId;
  }

  #status(state: DeviceStatus['state'], reason: DeviceStatus['reason']): string {
    const status: DeviceStatus = { v: 1, deviceId: this.deviceId, bootId: this.bootId, t: this.#options.now(), state, reason };
    return JSON.stringify(status);
  }

  async connect(): Promise<void> {
    const { credential, brokerUrl } = this.#options;
    this.#client = await mqtt.connectAsync(brokerUrl, {
      clientId: credential.deviceId,
      username: credential.deviceId,
      password: credential.secret,
      protocolVersion: 4,
      clean: true,
      keepalive: 30, // s
      reconnectPeriod: 1000, // ms
      connectTimeout: 10_000, // ms
      will: { topic: topics.deviceStatus(credential.deviceId), payload: Buffer.from(this.#status('offline', 'connection_lost')), qos: 1, retain: false },
    });
    // Latency hygiene: MQTT messages are small; Nagle would hold them back for up to ~40 ms per hop.
    disableNagle(this.#client);
    await this.#client.publishAsync(topics.deviceStatus(this.deviceId), this.#status('online', 'startup'), { qos: 1 });
  }

  /** Publish one numerics sample at event time `t` (QoS 1: at least once, deduplicated downstream by key). */
  publish(t: number, vitals: Numerics): Promise<unknown> {
    if (!this.#client) throw new Error(`device ${this.deviceId} is not connected`);
    const sample: VitalsSample = { v: 1, deviceId: this.deviceId, bootId: this.bootId, seq: this.#seq++, t, vitals };
    return this.#client.publishAsync(topics.deviceVitals(this.deviceId), JSON.stringify(sample), { qos: 1 });
  }

  get sent(): number {
    return this.#seq;
  }

  async close(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.#client = undefined;
    if (client.connected) {
      await client.publishAsync(topics.deviceStatus(this.deviceId), this.#status('offline', 'shutdown'), { qos: 1 }).catch(() => undefined);
    }
    await client.endAsync();
  }
}
