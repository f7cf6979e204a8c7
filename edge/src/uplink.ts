/**
 * The uplink: drains the durable outbox to the cloud's broker over MQTT (persistent session, QoS 1), one batch in
 * flight at a time. Records leave the outbox only when the broker has acknowledged their batch; if the gateway dies
 * first they are sent again after restart and the cloud's idempotent store absorbs the repeat.
 *
 * Two lanes, so that live data stays fresh after an outage: at each (re)connection the records already waiting
 * become the backlog (ids up to a boundary); records arriving afterwards are live. A live batch always goes first;
 * the backlog drains in id order (arrival order) between them, at most `backlogRecordsPerS`. A record forwarded more
 * than `lateAfterMs` after it arrived is marked `late`, so the cloud stores it but never raises a stale alarm from it.
 *
 * Batches are gzip-compressed when `gzip` is on; the cloud tells JSON from gzip by the first bytes.
 *
 * Deleting an acknowledged batch is a write too, and fails when the disk is full: the range is kept and retried
 * before anything else is sent (a throw in the PUBACK callback would crash the gateway; resending the same records in
 * a loop would only load the cloud with duplicates). Found while writing test/faults/edge-disk-full.test.ts.
 */
import { gzip } from 'node:zlib';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { GatewayRequest, MAX_WAVEFORM_REQUEST_MS, parsePayload, topics, type GatewayStatus, type UplinkBatch, type UplinkRecord } from '@vigil/contracts';
import { disableNagle } from '@vigil/contracts/mqtt-node';
import type { EdgeMetrics } from './metrics.ts';
import type { Outbox, RawOutboxEntry } from './outbox.ts';

export interface UplinkOptions {
  url: string;
  gatewayId: string;
  wardId: string;
  secret: string | undefined;
  outbox: Outbox;
  metrics: EdgeMetrics;
  logger: Logger;
  batchMaxRecords: number;
  backlogRecordsPerS: number;
  lateAfterMs: number;
  gzip: boolean;
  now: () => number;
  /** Called on every change of the link state (local technical alarm CLOUD_LINK_DOWN). */
  onLinkChange?: (connected: boolean) => void;
  /** A valid request from the cloud (raw waveforms of a patient for a while). */
  onRequest?: (request: GatewayRequest) => void;
}

/**
 * A record held in the outbox longer than `lateAfterMs` is forwarded as late. Records are forwarded as the JSON text
 * the outbox holds (no parse, no re-serialisation on the hot path); only a late one is parsed to set its flag.
 */
function lateJson(entry: RawOutboxEntry, sentAt: number, lateAfterMs: number): string | undefined {
  if (sentAt - entry.createdAt <= lateAfterMs) return undefined;
  const record = JSON.parse(entry.json) as UplinkRecord;
  if (record.type !== 'sample' && record.type !== 'window') return undefined;
  record.late = true;
  return JSON.stringify(record);
}

const RECORD_TYPE = /^\{"type":"([a-z_]+)"/;

export function createUplink(options: UplinkOptions) {
  const { outbox, metrics, logger, gatewayId, wardId } = options;
  let client: MqttClient | undefined;
  let inFlight: Promise<void> | undefined;
  let scheduled = false;
  let closing = false;
  /** Records with id <= boundary were waiting when the link (re)connected: the backlog. */
  let boundary = 0;
  let backlogTokens = 0;
  let tokensAt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let backlogRemaining = 0;
  let lastWasLive = false;
  /** Acknowledged id ranges whose delete failed (disk full): removed before anything else is sent. */
  const unremoved: Array<[number, number]> = [];
  let removeFailing = false;

  /** Delete the acknowledged ranges still waiting; false while the disk refuses (retried in a second). */
  function removePending(): boolean {
    while (unremoved.length > 0) {
      const [first, last] = unremoved[0]!;
      try {
        outbox.remove(first, last);
        unremoved.shift();
      } catch (err) {
        metrics.outboxCommitFailures.inc();
        if (!removeFailing) logger.error({ code: 'PM_ERR_STORE_FAILED', err: (err as Error).message, pending: unremoved.length }, 'uplink: cannot delete acknowledged records from the outbox (disk full?); sending paused');
        retryTimer ??= setTimeout(() => {
          retryTimer = undefined;
          schedule();
        }, 1000);
        removeFailing = true;
        return false;
      }
    }
    removeFailing = false;
    return true;
  }

  const status = (state: GatewayStatus['state']): string =>
    JSON.stringify({ v: 1, gatewayId, wardId, t: options.now(), state } satisfies GatewayStatus);

  /** Backlog records the drain rate allows now (undefined: none left, or wait for tokens). */
  function takeBacklog(): RawOutboxEntry[] | undefined {
    if (boundary === 0) return undefined;
    const now = options.now();
    backlogTokens = Math.min(options.backlogRecordsPerS, backlogTokens + ((now - tokensAt) / 1000) * options.backlogRecordsPerS);
    tokensAt = now;
    const allowed = Math.floor(Math.min(options.batchMaxRecords, backlogTokens));
    if (allowed < 1) {
      // Come back when tokens for a quarter batch have accrued.
      retryTimer ??= setTimeout(() => {
        retryTimer = undefined;
        schedule();
      }, Math.ceil((250 * Math.min(options.batchMaxRecords, options.backlogRecordsPerS)) / options.backlogRecordsPerS));
      return undefined;
    }
    const backlog = outbox.peekRaw(0, allowed, boundary);
    if (backlog.length === 0) {
      boundary = 0; // backlog drained: everything is live again
      backlogRemaining = 0;
      metrics.outboxBacklog.set(0);
      return undefined;
    }
    backlogTokens -= backlog.length;
    return backlog;
  }

  /**
   * The next batch: live and backlog take turns (live first), so that live data is never queued behind the backlog
   * and the backlog is never starved by a steady live stream.
   */
  function nextBatch(): RawOutboxEntry[] | undefined {
    if (lastWasLive) {
      const backlog = takeBacklog();
      if (backlog) {
        lastWasLive = false;
        return backlog;
      }
    }
    const live = outbox.peekRaw(boundary, options.batchMaxRecords);
    if (live.length > 0) {
      lastWasLive = true;
      return live;
    }
    lastWasLive = false;
    return takeBacklog();
  }

  function pump(): void {
    scheduled = false;
    if (!client?.connected || inFlight || closing) return;
    if (!removePending()) return;
    const entries = nextBatch();
    const first = entries?.[0];
    const last = entries?.[entries.length - 1];
    if (!entries || !first || !last) return;
    const firstId = first.id;
    const lastId = last.id;
    const count = entries.length;
    const sentAt = options.now();
    let late = 0;
    const records = entries.map((entry) => {
      const marked = lateJson(entry, sentAt, options.lateAfterMs);
      if (marked === undefined) return entry.json;
      late++;
      return marked;
    });
    // The batch is assembled from the stored JSON texts; its envelope matches the UplinkBatch schema.
    const envelope: Omit<UplinkBatch, 'records'> = { v: 1, gatewayId, wardId, batchSeq: lastId, sentAt };
    const json = `${JSON.stringify(envelope).slice(0, -1)},"records":[${records.join(',')}]}`;
    const c = client;
    inFlight = new Promise<void>((resolve) => {
      // gzip runs on libuv's thread pool, not on the event loop that acknowledges devices.
      const compressed = options.gzip ? new Promise<Buffer>((ok, fail) => gzip(json, { level: 1 }, (err, out) => (err ? fail(err) : ok(out)))) : Promise.resolve(Buffer.from(json));
      compressed.then(
        (payload) => send(c, payload, resolve),
        (err: Error) => {
          logger.error({ err: err.message }, 'uplink batch compression failed');
          resolve();
        },
      );
    }).finally(() => {
      inFlight = undefined;
      schedule();
    });

    function send(c: MqttClient, payload: Buffer, resolve: () => void): void {
      c.publish(topics.gatewayUplink(gatewayId), payload, { qos: 1 }, (err) => {
        if (err) {
          logger.warn({ err: err.message }, 'uplink batch not acknowledged; will retry');
        } else {
          unremoved.push([firstId, lastId]);
          removePending();
          metrics.uplinkBatches.inc();
          metrics.uplinkRecords.inc(count);
          metrics.uplinkBytes.inc(payload.length);
          metrics.lateRecords.inc(late);
          metrics.uplinkJsonBytes.inc(json.length);
          for (const record of records) metrics.uplinkRecordsByType.inc({ type: RECORD_TYPE.exec(record)?.[1] ?? 'unknown' });
          metrics.outboxDepth.set(outbox.size);
          if (lastId <= boundary) {
            backlogRemaining = Math.max(0, backlogRemaining - count);
            metrics.outboxBacklog.set(backlogRemaining);
          }
        }
        resolve();
      });
    }
  }

  /** Coalesce many appends into one batch: pump on the next turn of the event loop. */
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  }

  return {
    start(): void {
      client = mqtt.connect(options.url, {
        clientId: gatewayId,
        username: gatewayId,
        ...(options.secret !== undefined ? { password: options.secret } : {}),
        protocolVersion: 4,
        clean: false, // persistent session: the broker keeps our QoS 1 state across reconnects
        keepalive: 15, // s: a dead link is noticed within ~1.5 keepalives
        reconnectPeriod: 1000, // ms
        connectTimeout: 5000, // ms
        will: { topic: topics.gatewayStatus(gatewayId), payload: Buffer.from(status('offline')), qos: 1, retain: true },
      });
      disableNagle(client); // latency hygiene, see contracts/src/mqtt-node.ts
      client.on('connect', () => {
        // What waits now is backlog; it drains behind live data, rate-limited.
        boundary = outbox.maxId;
        backlogTokens = 0;
        tokensAt = options.now();
        backlogRemaining = outbox.size;
        metrics.outboxBacklog.set(backlogRemaining);
        metrics.uplinkConnected.set(1);
        logger.info({ url: options.url, backlog: outbox.size }, 'uplink connected');
        options.onLinkChange?.(true);
        client?.publish(topics.gatewayStatus(gatewayId), status('online'), { qos: 1, retain: true });
        client?.subscribe(topics.gatewayRequest(gatewayId), { qos: 1 }, (err) => {
          if (err) logger.warn({ err: err.message }, 'uplink: cannot subscribe to cloud requests (waveforms on request unavailable)');
        });
        schedule();
      });
      client.on('message', (topic, payload) => {
        if (topic !== topics.gatewayRequest(gatewayId)) return;
        const parsed = parsePayload(GatewayRequest, payload);
        if (!parsed.ok) {
          logger.warn({ code: parsed.error.code, detail: parsed.error.message }, 'cloud request rejected');
          return;
        }
        const request = { ...parsed.value, until: Math.min(parsed.value.until, options.now() + MAX_WAVEFORM_REQUEST_MS) };
        // No patient identifier at info level; the detail is for debugging.
        logger.info({ until: request.until }, 'cloud requested raw waveforms');
        logger.debug({ patientId: request.patientId, by: request.requestedBy }, 'raw waveform request detail');
        options.onRequest?.(request);
      });
      client.on('close', () => {
        metrics.uplinkConnected.set(0);
        options.onLinkChange?.(false);
      });
      client.on('error', (err) => logger.warn({ err: err.message }, 'uplink error'));
    },
    /** Called after each outbox commit. */
    notify: schedule,
    get connected(): boolean {
      return client?.connected ?? false;
    },
    /** Records still to drain from before the last (re)connection. */
    get backlogBoundary(): number {
      return boundary;
    },
    /**
     * Stop: give the outbox up to `timeoutMs` to drain (graceful shutdown flushes what it can; the rest stays durable
     * on disk for the next start), then announce offline and disconnect.
     */
    async close(timeoutMs = 5000): Promise<void> {
      const deadline = options.now() + timeoutMs;
      while (client?.connected && outbox.size > 0 && options.now() < deadline) {
        boundary = 0; // shutting down: no live data will come; drain everything without the backlog rate
        schedule();
        await new Promise((r) => setTimeout(r, 20));
      }
      closing = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (inFlight) await Promise.race([inFlight, new Promise((r) => setTimeout(r, Math.max(0, deadline - options.now())))]);
      if (client?.connected) {
        await new Promise<void>((resolve) => client?.publish(topics.gatewayStatus(gatewayId), status('offline'), { qos: 1, retain: true }, () => resolve()));
      }
      await client?.endAsync(true);
      metrics.uplinkConnected.set(0);
    },
  };
}
export type Uplink = ReturnType<typeof createUplink>;
