/**
 * The ward's device-facing MQTT broker (aedes) with the gateway's security rules:
 * - no anonymous clients; username = deviceId, password = the device secret, checked against the registry;
 * - the MQTT client id must equal the authenticated device id (identity never comes from a payload);
 * - a device may publish only to its own topics, its Last Will only to its own status topic, and subscribe to nothing.
 * - each device has a message rate limit (token bucket); a flooding device is disconnected;
 * - every connection sits behind the MQTT frame guard (maximum packet size, CONNECT first); what the guard lets
 *   through and aedes's parser or protocol checks still refuse is counted too (mqtt_protocol), so every refused
 *   connection shows in the metrics by reason (test/fuzz/mqtt-fuzz.test.ts);
 * - optionally MQTT over TLS; with a CA configured, client certificates are required and the certificate's subject
 *   CN must name the same device as the credentials (defence in depth: certificate and secret).
 * The ingest runs inside authorizePublish, which aedes calls before it sends PUBACK, and whose callback we hold until
 * the message is durable (outbox group commit): a QoS 1 message is acknowledged only once it is in the outbox.
 * (aedes acknowledges QoS 1 before its `published` hook runs, so ingesting there could acknowledge, then lose.)
 */
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { parseTopic, PmError, topics, type DeviceRegistryEntry, type ErrorCode } from '@vigil/contracts';
import { brokerErrorAsRejection, CONNACK, connackError, serveBroker, socketOf } from '@vigil/contracts/mqtt-node';
import type { TLSSocket, TlsOptions } from 'node:tls';
import type { DeviceDirectory } from './device-registry.ts';
import type { DeviceIngest } from './device-ingest.ts';
import type { EdgeMetrics } from './metrics.ts';
import type { DeviceRateLimiter } from './rate-limit.ts';
import type { RejectionLog } from './rejection-log.ts';

export interface DeviceBrokerOptions {
  directory: DeviceDirectory;
  ingest: DeviceIngest;
  metrics: EdgeMetrics;
  rejections: RejectionLog;
  rateLimiter: DeviceRateLimiter;
  maxPacketBytes: number;
  /** MQTT over TLS; `requestCert` + `ca` for client certificates. */
  tls?: TlsOptions;
  logger: Logger;
}

/** The subject CN of a verified client certificate, if the connection is TLS with one. */
function clientCertificateName(connection: unknown): string | undefined | null {
  const socket = socketOf(connection) as TLSSocket | undefined;
  if (!socket || !('getPeerCertificate' in socket)) return undefined; // not TLS
  if (!socket.authorized) return null;
  const cn = socket.getPeerCertificate()?.subject?.CN;
  return typeof cn === 'string' ? cn : Array.isArray(cn) ? (cn[0] ?? null) : null;
}

export async function createDeviceBroker(options: DeviceBrokerOptions) {
  const { directory, ingest, metrics, rejections, rateLimiter, logger } = options;
  const requireClientCert = Boolean(options.tls?.requestCert);
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
      const certName = clientCertificateName(client.conn);
      if (certName !== undefined && requireClientCert && certName !== device.deviceId) return refuse('PM_ERR_AUTH_BAD_CREDENTIALS', CONNACK.badCredentials);
      const will = (client as unknown as { _will?: { topic?: string; qos?: number } })._will;
      if (will && will.topic !== topics.deviceStatus(device.deviceId)) return refuse('PM_ERR_WILL_FORBIDDEN', CONNACK.notAuthorized);
      // Will QoS 3 is malformed [MQTT-3.1.2-14]; mqtt-packet's parser lets it through (found by test/fuzz).
      if (will && !(Number(will.qos) <= 2)) return refuse('PM_ERR_MQTT_PROTOCOL', CONNACK.notAuthorized);
      devices.set(client, device);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const device = client ? devices.get(client) : undefined;
      if (!device) {
        metrics.authFailures.inc({ reason: 'PM_ERR_TOPIC_FORBIDDEN' });
        return done(new PmError('PM_ERR_TOPIC_FORBIDDEN', 'publisher is not an authenticated device'));
      }
      const topic = parseTopic(packet.topic);
      if (!topic || topic.scope !== 'device' || topic.deviceId !== device.deviceId) {
        metrics.authFailures.inc({ reason: 'PM_ERR_TOPIC_FORBIDDEN' });
        rejections.report(device.deviceId, new PmError('PM_ERR_TOPIC_FORBIDDEN'));
        // [MQTT-3.3.5-2]: a server that refuses a PUBLISH closes the connection; the error does exactly that.
        return done(new PmError('PM_ERR_TOPIC_FORBIDDEN'));
      }
      if (!rateLimiter.take(device.deviceId)) {
        metrics.authFailures.inc({ reason: 'PM_ERR_RATE_LIMITED' });
        metrics.messagesRejected.inc({ reason: 'rate_limited' });
        rejections.report(device.deviceId, new PmError('PM_ERR_RATE_LIMITED'));
        // Refused, not acknowledged: the connection closes and the device resends after reconnecting, slower.
        return done(new PmError('PM_ERR_RATE_LIMITED'));
      }
      ingest.ingest(device, topic.channel, packet.payload as Buffer, (outcome) => {
        if (outcome.result === 'rejected') {
          rejections.report(device.deviceId, outcome.error);
          // Not durable: withhold the acknowledgement (by closing) so the device sends the message again.
          if (outcome.error.code === 'PM_ERR_STORE_FAILED') return done(outcome.error);
        }
        // Stored (durable), duplicate, or rejected for its content: acknowledge, so the device does not resend a bad
        // message forever; the rejection is counted and logged instead.
        done(null);
      });
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
    // The rate bucket stays: a flooding device must not earn a fresh burst by reconnecting (memory is bounded by
    // the registry).
    if (devices.has(client)) metrics.connectedDevices.dec();
  });

  // Protocol errors aedes finds itself (its parser, a second CONNECT, an empty or wildcard topic) close the
  // connection without passing through our hooks: count them here. Unauthenticated peers share one log key, so
  // attacker-chosen client ids cannot grow the rejection log's map.
  const cut = new WeakSet<Client>(); // aedes may report several errors for one connection: count it once
  const onClientError = (client: Client, err: Error) => {
    const rejection = brokerErrorAsRejection(err);
    if (!rejection || cut.has(client)) return;
    cut.add(client);
    metrics.frameViolations.inc({ reason: rejection.reason });
    rejections.report(devices.get(client)?.deviceId ?? '(unauthenticated)', rejection);
  };
  aedes.on('clientError', onClientError);
  aedes.on('connectionError', onClientError);

  const onViolation = (error: PmError, socket: { remoteAddress?: string | undefined }) => {
    metrics.frameViolations.inc({ reason: error.reason });
    logger.warn({ code: error.code, detail: error.message, remote: socket.remoteAddress }, 'device connection cut');
  };
  const listener = serveBroker(aedes, { maxPacketBytes: options.maxPacketBytes, onViolation });
  const tlsListener = options.tls ? serveBroker(aedes, { maxPacketBytes: options.maxPacketBytes, onViolation, tls: options.tls }) : undefined;
  return {
    aedes,
    listen: listener.listen,
    listenTls: tlsListener?.listen,
    async close(): Promise<void> {
      await listener.close();
      // aedes is closed already; only the TLS sockets remain.
      await tlsListener?.closeServer();
    },
  };
}
export type DeviceBroker = Awaited<ReturnType<typeof createDeviceBroker>>;
