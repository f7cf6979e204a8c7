/**
 * MQTT topic names. One builder and one parser, so no part of the system formats a topic by hand.
 *
 *   vigil/v1/dev/{deviceId}/vitals    device → edge, numerics (QoS 1)
 *   vigil/v1/dev/{deviceId}/status    device → edge, status and Last Will (QoS 1)
 *   vigil/v1/dev/{deviceId}/wave      device → edge, waveform chunks (QoS 0: a lost chunk is a gap, not worth a resend)
 *   vigil/v1/gw/{gatewayId}/uplink    edge → cloud, batches from the durable outbox (QoS 1)
 *   vigil/v1/gw/{gatewayId}/status    edge → cloud, gateway status and Last Will
 *   vigil/v1/gw/{gatewayId}/request   cloud → edge, requests (raw waveforms of a patient for a while) (QoS 1)
 */
import { ID_PATTERN } from './ids.ts';

export const TOPIC_ROOT = 'vigil/v1';

export type DeviceChannel = 'vitals' | 'status' | 'wave';
export type GatewayChannel = 'uplink' | 'status' | 'request';

export type ParsedTopic =
  | { scope: 'device'; deviceId: string; channel: DeviceChannel }
  | { scope: 'gateway'; gatewayId: string; channel: GatewayChannel };

function checkId(id: string, what: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`invalid ${what} for a topic: ${JSON.stringify(id)}`);
  return id;
}

export const topics = {
  deviceVitals: (deviceId: string) => `${TOPIC_ROOT}/dev/${checkId(deviceId, 'deviceId')}/vitals`,
  deviceStatus: (deviceId: string) => `${TOPIC_ROOT}/dev/${checkId(deviceId, 'deviceId')}/status`,
  deviceWave: (deviceId: string) => `${TOPIC_ROOT}/dev/${checkId(deviceId, 'deviceId')}/wave`,
  gatewayUplink: (gatewayId: string) => `${TOPIC_ROOT}/gw/${checkId(gatewayId, 'gatewayId')}/uplink`,
  gatewayStatus: (gatewayId: string) => `${TOPIC_ROOT}/gw/${checkId(gatewayId, 'gatewayId')}/status`,
  gatewayRequest: (gatewayId: string) => `${TOPIC_ROOT}/gw/${checkId(gatewayId, 'gatewayId')}/request`,
  /** Subscription filters for the cloud's ingest. */
  allGatewayUplinks: `${TOPIC_ROOT}/gw/+/uplink`,
  allGatewayStatus: `${TOPIC_ROOT}/gw/+/status`,
} as const;

const DEVICE_CHANNELS: readonly string[] = ['vitals', 'status', 'wave'];
const GATEWAY_CHANNELS: readonly string[] = ['uplink', 'status', 'request'];

/** Parse a concrete topic; null for anything that is not exactly one of the project's topics. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null;
  const [, , scope, id, channel] = parts as [string, string, string, string, string];
  if (!ID_PATTERN.test(id)) return null;
  if (scope === 'dev' && DEVICE_CHANNELS.includes(channel)) {
    return { scope: 'device', deviceId: id, channel: channel as DeviceChannel };
  }
  if (scope === 'gw' && GATEWAY_CHANNELS.includes(channel)) {
    return { scope: 'gateway', gatewayId: id, channel: channel as GatewayChannel };
  }
  return null;
}
