/**
 * The cloud's ingest from an external uplink broker (mosquitto, a cluster): an MQTT client (persistent session,
 * QoS 1). mqtt.js sends PUBACK only when `handleMessage` calls back, and it calls back after the batch has committed:
 * a crash before that means the broker redelivers, and the idempotent store absorbs the repeat. (The external broker
 * has acknowledged the gateway already and holds the message durably for our session; with the embedded broker the
 * batch is committed before the gateway is acknowledged, see embedded-broker.ts.)
 */
import mqtt, { type MqttClient } from 'mqtt';
import { type GatewayRequest, PmError, topics } from '@vigil/contracts';
import { disableNagle } from '@vigil/contracts/mqtt-node';
import { createUplinkHandler, type UplinkHandlerOptions } from './uplink-handler.ts';

export interface IngestClientOptions extends UplinkHandlerOptions {
  /** false: subscribe to gateway status only (the embedded broker commits batches itself). Default true. */
  subscribeUplinks?: boolean;
  url: string;
  username: string;
  secret: string | undefined;
  clientId: string;
}

export function createIngestClient(options: IngestClientOptions) {
  const { logger } = options;
  let client: MqttClient | undefined;

  const handle = createUplinkHandler(options);

  return {
    async start(): Promise<void> {
      client = await mqtt.connectAsync(options.url, {
        clientId: options.clientId,
        username: options.username,
        ...(options.secret !== undefined ? { password: options.secret } : {}),
        protocolVersion: 4,
        clean: false, // keep our subscription and unacknowledged messages across reconnects
        keepalive: 15, // s
        reconnectPeriod: 1000, // ms
      });
      disableNagle(client);
      client.handleMessage = (packet, callback) => {
        handle(packet.topic, packet.payload as Buffer).then(
          () => callback(),
          (err: unknown) => {
            // Storage failed: withhold the PUBACK and drop the socket; mqtt.js reconnects and, the session being
            // persistent, the broker redelivers the unacknowledged batch [MQTT-4.4.0-1].
            callback(err as Error);
            (client as unknown as { stream?: { destroy(): void } } | undefined)?.stream?.destroy();
          },
        );
      };
      // With the embedded broker, batches are committed inside the broker before it acknowledges them
      // (embedded-broker.ts); this client then only follows gateway status.
      const filters = options.subscribeUplinks === false ? [topics.allGatewayStatus] : [topics.allGatewayUplinks, topics.allGatewayStatus];
      await client.subscribeAsync(filters, { qos: 1 });
      logger.info({ url: options.url }, 'ingest subscribed to the uplink broker');
    },
    get connected(): boolean {
      return client?.connected ?? false;
    },
    /** Ask a gateway to forward a patient's raw waveforms until `until` (QoS 1). */
    async requestWaveforms(gatewayId: string, request: GatewayRequest): Promise<void> {
      if (!client) throw new PmError('PM_ERR_INTERNAL', 'ingest client not started');
      await client.publishAsync(topics.gatewayRequest(gatewayId), JSON.stringify(request), { qos: 1 });
    },
    async close(): Promise<void> {
      await client?.endAsync();
    },
  };
}
