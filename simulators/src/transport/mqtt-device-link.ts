/**
 * One simulated device on the wire. It behaves like a device, not like a test client:
 * - its own credentials; client id = device id; an `offline` Last Will on its own status topic;
 * - QoS by message class: numerics and status QoS 1 (at least once; the edge dedupes by key), waveform chunks
 *   QoS 0 (a lost chunk is a gap; resending stale waveforms is worthless);
 * - a bounded resend buffer: while disconnected, messages wait in a ring of `bufferLimit` (oldest dropped first, as
 *   a device with fixed memory does; counted) and are sent in order after the reconnect; messages in flight at the
 *   moment of the drop are resent by MQTT.js itself (with DUP), which is how duplicates after a reconnect arise;
 *   a QoS 1 publish that MQTT.js fails while the link is open (the connection closed during its replay of unacknowledged
 *   messages: 'Connection closed') goes back to the front of the ring: a device keeps what was never acknowledged
 *   (found by test/faults/edge-disk-full.test.ts, where the gateway refuses by closing the connection);
 * - a status `offline / connection_lost` from the generator (a dying device) drops the socket without DISCONNECT,
 *   so the broker publishes the Last Will; `offline / shutdown` is published and followed by a clean DISCONNECT.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { topics, type DeviceCredential, type DeviceStatus, type SessionMessage } from '@vigil/contracts';
import { disableNagle } from '@vigil/contracts/mqtt-node';

export interface LinkStats {
  sent: number;
  acked: number;
  /** Dropped from the full resend buffer while disconnected. */
  dropped: number;
  /** Publishes that failed outright (connection closed for good). */
  failed: number;
}

export interface DeviceLinkOptions {
  brokerUrl: string;
  credential: DeviceCredential;
  bootId: string;
  bufferLimit?: number;
  /** Wall clock, for the Last Will's timestamp. */
  now?: () => number;
  onAck?: (message: SessionMessage, latencyMs: number) => void;
}

/** Wait for `promise` at most `ms`; errors and time-outs both just end the wait. */
function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

const QOS: Record<SessionMessage['channel'], 0 | 1> = { vitals: 1, status: 1, wave: 0 };

export class MqttDeviceLink {
  readonly stats: LinkStats = { sent: 0, acked: 0, dropped: 0, failed: 0 };
  readonly #options: DeviceLinkOptions;
  readonly #buffer: SessionMessage[] = [];
  readonly #limit: number;
  #client: MqttClient | undefined;
  #dead = false;
  /** Where the next failed publish goes back into the ring (in order, before what waited behind it). */
  #requeueAt = 0;

  constructor(options: DeviceLinkOptions) {
    this.#options = options;
    this.#limit = options.bufferLimit ?? 3600; // 1 h of 1 Hz numerics
  }

  get deviceId(): string {
    return this.#options.credential.deviceId;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  async connect(): Promise<void> {
    const { credential, brokerUrl, bootId } = this.#options;
    const will: DeviceStatus = { v: 1, deviceId: credential.deviceId, bootId, t: (this.#options.now ?? Date.now)(), state: 'offline', reason: 'connection_lost' };
    const client = mqtt.connect(brokerUrl, {
      clientId: credential.deviceId,
      username: credential.deviceId,
      password: credential.secret,
      protocolVersion: 4,
      clean: true,
      keepalive: 30, // s
      reconnectPeriod: 1000, // ms
      connectTimeout: 10_000, // ms
      queueQoSZero: false, // offline waveform chunks are gaps, not a queue
      will: { topic: topics.deviceStatus(credential.deviceId), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: false },
    });
    this.#client = client;
    disableNagle(client);
    client.on('connect', () => this.#flush());
    client.on('error', () => undefined); // reconnects on its own; failures are counted per publish
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        client.removeListener('connect', onConnect);
        reject(err);
      };
      const onConnect = () => {
        client.removeListener('error', onError);
        resolve();
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
  }

  /** Hand a message to the device's radio. */
  send(message: SessionMessage): void {
    if (this.#dead) return;
    if (message.channel === 'status' && message.message.state === 'offline') {
      this.#goOffline(message);
      return;
    }
    if (!this.#client?.connected || this.#buffer.length > 0) {
      if (message.channel === 'wave') return; // not buffered: see QoS above
      this.#buffer.push(message);
      if (this.#buffer.length > this.#limit) {
        this.#buffer.shift();
        this.stats.dropped++;
      }
      if (this.#client?.connected) this.#flush();
      return;
    }
    this.#publish(message);
  }

  #topic(message: SessionMessage): string {
    const id = this.deviceId;
    return message.channel === 'vitals' ? topics.deviceVitals(id) : message.channel === 'status' ? topics.deviceStatus(id) : topics.deviceWave(id);
  }

  #publish(message: SessionMessage): void {
    const client = this.#client;
    if (!client) return;
    const sentAt = Date.now();
    this.stats.sent++;
    client.publish(this.#topic(message), JSON.stringify(message.message), { qos: QOS[message.channel] }, (err) => {
      if (err) {
        if (QOS[message.channel] === 1 && this.#client === client && !this.#dead) {
          this.#buffer.splice(this.#requeueAt++, 0, message); // not acknowledged: send again after the reconnect
          if (this.#buffer.length > this.#limit) {
            this.#buffer.shift(); // the ring's rule: the oldest goes
            this.#requeueAt--;
            this.stats.dropped++;
          }
          return;
        }
        this.stats.failed++;
        return;
      }
      this.stats.acked++;
      this.#options.onAck?.(message, Date.now() - sentAt);
    });
  }

  #flush(): void {
    this.#requeueAt = 0;
    while (this.#client?.connected && this.#buffer.length > 0) this.#publish(this.#buffer.shift() as SessionMessage);
  }

  #goOffline(message: SessionMessage): void {
    const client = this.#client;
    this.#dead = true;
    if (!client) return;
    if (message.channel === 'status' && message.message.reason === 'connection_lost') {
      // Power loss: no DISCONNECT, so the broker announces the Last Will.
      (client as unknown as { stream?: { destroy(): void } }).stream?.destroy();
      client.end(true);
      return;
    }
    client.publish(this.#topic(message), JSON.stringify(message.message), { qos: 1 }, () => client.end());
  }

  /** Stop: publish a shutdown status and disconnect cleanly (unless the device already went offline). */
  async close(now: number = Date.now()): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.#client = undefined;
    if (!this.#dead && client.connected) {
      const bye: DeviceStatus = { v: 1, deviceId: this.deviceId, bootId: this.#options.bootId, t: now, state: 'offline', reason: 'shutdown' };
      // A device switching off waits a moment for the acknowledgement, not forever (the broker may be gone).
      await withTimeout(client.publishAsync(topics.deviceStatus(this.deviceId), JSON.stringify(bye), { qos: 1 }), 1000);
    }
    await withTimeout(client.endAsync(true), 1000);
  }
}
