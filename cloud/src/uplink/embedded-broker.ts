/**
 * The embedded uplink broker (aedes), used when no external broker URL is configured. Gateways authenticate from
 * the gateway registry and may publish only their own uplink and status topics; the cloud's own ingest client,
 * with a secret made at start, may only subscribe to them. Nobody else gets in.
 *
 * Committed before acknowledged: aedes sends a QoS 1 PUBACK before it hands the message to subscribers (and keeps its
 * session state in memory), so a batch acknowledged to the gateway could be lost with a cloud crash before the ingest
 * stored it — the gateway would already have deleted it from its outbox. So the batch is committed here, inside
 * authorizePublish, whose callback aedes awaits before acknowledging; a storage failure refuses the publish (the
 * connection closes and the gateway sends the batch again). Found by test/faults with kill -9 of the cloud.
 */
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { parseTopic, PmError, topics } from '@vigil/contracts';
import { brokerErrorAsRejection, CONNACK, connackError, serveBroker } from '@vigil/contracts/mqtt-node';
import { generateSecret } from '@vigil/contracts/credentials';
import type { CloudMetrics } from '../metrics.ts';
import type { GatewayDirectory } from './gateway-registry.ts';

type Principal = { role: 'gateway'; gatewayId: string } | { role: 'ingest' };

/**
 * Largest MQTT packet accepted: the biggest uplink payload the handler decodes (16 MiB, uplink-handler.ts) plus room
 * for the fixed header and topic. Without it the frame guard allowed MQTT's own maximum (256 MB), which aedes's
 * parser would buffer per connection before any authentication (found by test/fuzz: oversized Remaining Length).
 */
export const UPLINK_MAX_PACKET_BYTES = 16 * 1024 * 1024 + 64 * 1024;

export interface EmbeddedUplinkBrokerOptions {
  gateways: GatewayDirectory;
  ingestUsername: string;
  logger: Logger;
  /** Refusals are counted here by reason (vigil_cloud_uplink_refused_total). */
  metrics?: Pick<CloudMetrics, 'uplinkRefused'>;
  /** Commit one uplink batch (uplink-handler.ts); throws when it could not be stored. */
  onUplink: (topic: string, payload: Buffer) => Promise<void>;
}

export async function createEmbeddedUplinkBroker(options: EmbeddedUplinkBrokerOptions) {
  const { gateways, ingestUsername, logger } = options;
  const ingestSecret = generateSecret();
  const principals = new WeakMap<Client, Principal>();
  const refused = (reason: string) => options.metrics?.uplinkRefused.inc({ reason });
  const authError = (...args: Parameters<typeof connackError>) => {
    const error = connackError(...args);
    refused(error.reason);
    return error as unknown as AuthenticateError;
  };
  const ingestFilters = new Set<string>([topics.allGatewayUplinks, topics.allGatewayStatus]);

  const aedes = await Aedes.createBroker({
    connectTimeout: 10_000, // ms
    maxClientsIdLength: 64,
    authenticate(client, username, password, done) {
      if (!username) return done(authError('PM_ERR_AUTH_ANONYMOUS', CONNACK.notAuthorized), false);
      if (username === ingestUsername) {
        if (password?.toString('utf8') !== ingestSecret) return done(authError('PM_ERR_AUTH_BAD_CREDENTIALS', CONNACK.badCredentials), false);
        principals.set(client, { role: 'ingest' });
        return done(null, true);
      }
      const gateway = gateways.authenticate(username, password);
      if (!gateway) {
        logger.warn({ clientId: client.id }, 'uplink connection refused: bad credentials');
        return done(authError('PM_ERR_AUTH_BAD_CREDENTIALS', CONNACK.badCredentials), false);
      }
      if (client.id !== gateway.gatewayId) return done(authError('PM_ERR_AUTH_CLIENT_ID', CONNACK.identifierRejected), false);
      const will = (client as unknown as { _will?: { topic?: string; qos?: number } })._will;
      if (will && will.topic !== topics.gatewayStatus(gateway.gatewayId)) return done(authError('PM_ERR_WILL_FORBIDDEN', CONNACK.notAuthorized), false);
      // Will QoS 3 is malformed [MQTT-3.1.2-14]; mqtt-packet's parser lets it through (found by test/fuzz).
      if (will && !(Number(will.qos) <= 2)) return done(authError('PM_ERR_MQTT_PROTOCOL', CONNACK.notAuthorized), false);
      principals.set(client, { role: 'gateway', gatewayId: gateway.gatewayId });
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const principal = client ? principals.get(client) : undefined;
      const topic = parseTopic(packet.topic);
      if (principal?.role === 'gateway' && topic?.scope === 'gateway' && topic.gatewayId === principal.gatewayId && topic.channel === 'uplink') {
        options.onUplink(packet.topic, packet.payload as Buffer).then(
          () => done(null),
          (err: unknown) => done(err as Error), // not stored: refuse, so the gateway resends
        );
        return;
      }
      if (principal?.role === 'gateway' && topic?.scope === 'gateway' && topic.gatewayId === principal.gatewayId && topic.channel === 'status') return done(null);
      // Only the cloud sends requests to gateways.
      if (principal?.role === 'ingest' && topic?.scope === 'gateway' && topic.channel === 'request') return done(null);
      logger.warn({ clientId: client?.id, topic: packet.topic }, 'uplink publish refused');
      const error = new PmError('PM_ERR_TOPIC_FORBIDDEN');
      refused(error.reason);
      done(error);
    },
    authorizeSubscribe(client, subscription, done) {
      const principal = principals.get(client);
      if (principal?.role === 'ingest' && ingestFilters.has(subscription.topic)) return done(null, subscription);
      // A gateway may listen to its own request topic, nothing else.
      if (principal?.role === 'gateway' && subscription.topic === topics.gatewayRequest(principal.gatewayId)) return done(null, subscription);
      logger.warn({ clientId: client.id, topic: subscription.topic }, 'uplink subscription refused');
      refused(new PmError('PM_ERR_SUBSCRIBE_FORBIDDEN').reason);
      done(null, null);
    },
  });

  // Connections aedes itself cuts for malformed MQTT, and those the frame guard cuts, are refusals too.
  const cut = new WeakSet<Client>(); // aedes may report several errors for one connection: count it once
  const onClientError = (client: Client, err: Error) => {
    const rejection = brokerErrorAsRejection(err);
    if (!rejection || cut.has(client)) return;
    cut.add(client);
    refused(rejection.reason);
    logger.warn({ clientId: principals.has(client) ? client.id : undefined, code: rejection.code, detail: rejection.message }, 'uplink connection cut');
  };
  aedes.on('clientError', onClientError);
  aedes.on('connectionError', onClientError);
  const listener = serveBroker(aedes, {
    maxPacketBytes: UPLINK_MAX_PACKET_BYTES,
    onViolation: (error, socket) => {
      refused(error.reason);
      logger.warn({ code: error.code, detail: error.message, remote: socket.remoteAddress }, 'uplink connection cut');
    },
  });

  return {
    ingestCredentials: { username: ingestUsername, secret: ingestSecret },
    listen: listener.listen,
    close: listener.close,
  };
}
