/**
 * MQTT helpers of the security matrix: connect and read the CONNACK outcome, wait for the broker to close a client,
 * subscribe and read the SUBACK codes, collect what a subscriber receives.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface Principal {
  clientId: string;
  username: string;
  password: string;
}

export const asOptions = (p: Principal, over: IClientOptions = {}): IClientOptions => ({ clientId: p.clientId, username: p.username, password: p.password, ...over });

/** Connect once (no reconnect): 0 and the client when accepted, else the CONNACK return code (−1: no CONNACK). */
export function connectOutcome(url: string, options: IClientOptions): Promise<{ code: number; client?: MqttClient }> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...options });
    client.once('connect', () => resolve({ code: 0, client }));
    client.once('error', (err) => {
      client.end(true);
      resolve({ code: Number((err as { code?: number }).code ?? -1) });
    });
    client.once('close', () => resolve({ code: -1 }));
  });
}

/** Resolves true when the broker closes the client within `ms`, false otherwise. */
export function closedWithin(client: MqttClient, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SUBACK return codes of one SUBSCRIBE (128 = refused [MQTT-3.9.3]). */
export async function subackCodes(client: MqttClient, topic: string): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topic, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    // MQTT.js rejects a refused subscription; the SUBACK travels with the error.
    const granted = (err as { packet?: { granted?: Array<number | { qos: number }> } }).packet?.granted;
    if (!granted) throw err;
    return granted.map((g) => (typeof g === 'number' ? g : g.qos));
  }
}

/** Everything `client` receives from now on, by topic. */
export function collect(client: MqttClient): Array<{ topic: string; payload: string }> {
  const received: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  return received;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
