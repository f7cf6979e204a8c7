/**
 * The ward's device-facing MQTT broker (aedes) with the gateway's security rules:
 * - no anonymous clients; username = deviceId, password = the device secret, checked against the registry;
 * - the MQTT client id must equal the authenticated device id (identity never comes from a payload);
 * - a device may publish only to its own topics, its Last Will only to its own status topic, and subscribe to nothing.
 * The ingest runs inside authorizePublish, which aedes calls before it sends PUBACK: a QoS 1 message is therefore
 * acknowledged only once it is durable in the outbox (aedes acknowledges QoS 1 before its `published` hook runs).
 */
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { parseTopic, PmError, topics, type DeviceRegistryEntry, type ErrorCode } from '@vigil/contracts';
import { CONNACK, connackError, serveBroker } from '@vigil/contracts/mqtt-node';
import type { DeviceDirectory } from './device-registry.ts';
import type { DeviceIngest } from './device-ingest.ts';
import type { EdgeMetrics } from './metrics.ts';
import type { RejectionLog } from './rejection-log.ts';

export interface DeviceBrokerOptions {
  directory: DeviceDirectory;
  ingest: DeviceIngest;
  metrics: EdgeMetrics;
  rejections: RejectionLog;
  logger: Logger;
}

export async function createDeviceBroker(options: DeviceBrokerOptions) {
  const { directory, ingest, metrics, rejections, logger } = options;
  const devices = new WeakMap<Client, DeviceRegistryEntry>();

  const aedes = await Aedes.createBroker({
    connectTimeout: 10_000, // ms to wait for CONNECT after TCP accept
    maxClientsIdLength: 64,
    maxTopicLevels: 8,
    authenticate(client, username, password, done) {
      const refuse = (code: ErrorCode, returnCode: number) => {
        metrics.authFailures.inc({ reason: code });
        logger.warn({ clientId: client.id, code }, 'device connection refused');
        done(connackError(code, returnCode) as unknown as AuthenticateError, false);
      };
      if (!username) return refuse('PM_ERR_AUTH_ANONYMOUS', CONNACK.notAuthorized);
      const device = directory.authenticate(username, password);
      if (!device) return refuse('PM_ERR_AUTH_BAD_CREDENTIALS', CONNACK.badCredentials);
      if (client.id !== device.deviceId) return refuse('PM_ERR_AUTH_CLIENT_ID', CONNACK.identifierRejected);
      const will = (client as unknown as { _will?: { topic?: string } })._will;
      if (will && will.topic !== topics.deviceStatus(device.deviceId)) return refuse('PM_ERR_WILL_FORBIDDEN', CONNACK.notAuthorized);
      devices.set(client, device);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const device = client ? devices.get(client) : undefined;
      if (!device) return done(new PmError('PM_ERR_TOPIC_FORBIDDEN', 'publisher is not an authenticated device'));
      const topic = parseTopic(packet.topic);
      if (!topic || topic.scope !== 'device' || topic.deviceId !== device.deviceId) {
        metrics.authFailures.inc({ reason: 'PM_ERR_TOPIC_FORBIDDEN' });
        rejections.report(device.deviceId, new PmError('PM_ERR_TOPIC_FORBIDDEN'));
        // [MQTT-3.3.5-2]: a server that refuses a PUBLISH closes the connection; the error does exactly that.
        return done(new PmError('PM_ERR_TOPIC_FORBIDDEN'));
      }
      const outcome = ingest.ingest(device, topic.channel, packet.payload as Buffer);
      if (outcome.result === 'rejected') {
        rejections.report(device.deviceId, outcome.error);
        // Not durable: withhold the acknowledgement (by closing) so the device sends the message again.
        if (outcome.error.code === 'PM_ERR_STORE_FAILED') return done(outcome.error);
      }
      // Stored, duplicate, or rejected for its content: acknowledge, so the device does not resend a bad message
      // forever; the rejection is counted and logged instead.
      done(null);
    },
    authorizeSubscribe(client, _subscription, done) {
      metrics.authFailures.inc({ reason: 'PM_ERR_SUBSCRIBE_FORBIDDEN' });
      const device = devices.get(client);
      rejections.report(device?.deviceId ?? client.id, new PmError('PM_ERR_SUBSCRIBE_FORBIDDEN'));
      // Devices subscribe to nothing: a null subscription is refused with SUBACK 0x80 [MQTT-3.9.3-2].
      done(null, null);
    },
  });

  aedes.on('clientReady', () => metrics.connectedDevices.inc());
  aedes.on('clientDisconnect', (client) => {
    if (devices.has(client)) metrics.connectedDevices.dec();
  });

  const listener = serveBroker(aedes);
  return { aedes, listen: listener.listen, close: listener.close };
}
export type DeviceBroker = Awaited<ReturnType<typeof createDeviceBroker>>;
