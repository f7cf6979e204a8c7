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
import { CONNACK, connackError, serveBroker } from '@vigil/contracts/mqtt-node';
import { generateSecret } from '@vigil/contracts/credentials';
import type { GatewayDirectory } from './gateway-registry.ts';

type Principal = { role: 'gateway'; gatewayId: string } | { role: 'ingest' };

export interface EmbeddedUplinkBrokerOptions {
  gateways: GatewayDirectory;
  ingestUsername: string;
  logger: Logger;
  /** Commit one uplink batch (uplink-handler.ts); throws when it could not be stored. */
  onUplink: (topic: string, payload: Buffer) => Promise<void>;
}

export async function createEmbeddedUplinkBroker(options: EmbeddedUplinkBrokerOptions) {
  const { gateways, ingestUsername, logger } = options;
  const ingestSecret = generateSecret();
  const principals = new WeakMap<Client, Principal>();
  const authError = (...args: Parameters<typeof connackError>) => connackError(...args) as unknown as AuthenticateError;
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
      const will = (client as unknown as { _will?: { topic?: string } })._will;
      if (will && will.topic !== topics.gatewayStatus(gateway.gatewayId)) return done(authError('PM_ERR_WILL_FORBIDDEN', CONNACK.notAuthorized), false);
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
      done(new PmError('PM_ERR_TOPIC_FORBIDDEN'));
    },
    authorizeSubscribe(client, subscription, done) {
      const principal = principals.get(client);
      if (principal?.role === 'ingest' && ingestFilters.has(subscription.topic)) return done(null, subscription);
      // A gateway may listen to its own request topic, nothing else.
      if (principal?.role === 'gateway' && subscription.topic === topics.gatewayRequest(principal.gatewayId)) return done(null, subscription);
      logger.warn({ clientId: client.id, topic: subscription.topic }, 'uplink subscription refused');
      done(null, null);
    },
  });

  const listener = serveBroker(aedes);

  return {
    ingestCredentials: { username: ingestUsername, secret: ingestSecret },
    listen: listener.listen,
    close: listener.close,
  };
}
