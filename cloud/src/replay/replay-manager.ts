/**
 * The cloud's replays: play a stored recording (recording-store.ts) into its own replay ward `replay-<replayId>`,
 * straight into cloud ingest (the same batch handler the uplink broker calls, so storage, the stream processor,
 * alarms and the dashboards' sockets see a replay exactly as a live ward), and control it.
 *
 * Namespace: patient and device ids get the prefix `<replayId>.`, so replaying a recording again — or a recording of
 * a live ward — never collides with stored sample keys or live patients. A backward seek starts a new replay (new id
 * and ward) fast-forwarded to the target and stops the old one (replayer.ts explains why).
 *
 * Bounded: at most `maxActive` replays run at once (PM_ERR_REPLAY_LIMIT); the statuses of the last 100 ended ones
 * are kept for polling.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { PmError, REPLAY_WARD_PREFIX, type PlayResponse, type ReplaySpeed, type ReplayStatus, type UplinkBatch } from '@vigil/contracts';
import type { RecordingStore } from './recording-store.ts';
import { createCloudIngestSink } from './replay-sinks.ts';
import { createReplayer, type Replayer } from './replayer.ts';

export interface ReplayManagerOptions {
  store: RecordingStore;
  /** The cloud's batch handler (pipeline + sockets): what the uplink broker calls for a gateway's batch. */
  ingest: (batch: UplinkBatch) => Promise<unknown>;
  /** Wards the cloud already knows: a replay never starts into one. */
  knownWards: () => string[];
  logger: Logger;
  maxActive?: number;
  /** Records per pipeline batch (default 5,000, the uplink's own limit). */
  batchRecords?: number;
  now?: () => number;
  /** Observe replay starts and ends (metrics). */
  onChange?: (event: 'start' | 'end', status: ReplayStatus) => void;
}

interface Entry {
  replayId: string;
  recordingId: string;
  wardId: string;
  startedBy: string;
  startedAt: number;
  replayer: Replayer;
}

const KEEP_ENDED = 100;

export function createReplayManager(options: ReplayManagerOptions) {
  const { store, logger } = options;
  const now = options.now ?? Date.now;
  const maxActive = options.maxActive ?? 4;
  const replays = new Map<string, Entry>();
  const ended: string[] = [];

  function statusOf(e: Entry): ReplayStatus {
    const p = e.replayer.status();
    return {
      replayId: e.replayId,
      recordingId: e.recordingId,
      wardId: e.wardId,
      state: p.state,
      speed: p.speed,
      position: p.position,
      start: p.start,
      end: p.end,
      messages: p.messages,
      startedBy: e.startedBy,
      startedAt: e.startedAt,
      ...(p.error ? { error: p.error } : {}),
    };
  }

  const isActive = (e: Entry) => ['running', 'paused'].includes(e.replayer.status().state);

  function entry(replayId: string): Entry {
    const e = replays.get(replayId);
    if (!e) throw new PmError('PM_ERR_NOT_FOUND', `no replay ${replayId}`);
    return e;
  }

  async function start(recordingId: string, speed: ReplaySpeed, user: string, startAt?: number): Promise<Entry> {
    const info = await store.get(recordingId);
    if (!info) throw new PmError('PM_ERR_NOT_FOUND', `no recording ${recordingId}`);
    const active = [...replays.values()].filter(isActive).length;
    if (active >= maxActive) throw new PmError('PM_ERR_REPLAY_LIMIT', `${active} replays are running (limit ${maxActive}); stop one first`);
    // Ids stay short: the prefix goes before every patient and device id (64 characters at most).
    const replayId = `r${now().toString(36).slice(-5)}${randomBytes(2).toString('hex')}`;
    const wardId = `${REPLAY_WARD_PREFIX}${replayId}`;
    if (options.knownWards().includes(wardId)) throw new PmError('PM_ERR_REPLAY_STATE', `ward ${wardId} already exists`);
    const replayer = createReplayer({
      file: store.filePath(recordingId),
      speed,
      mapping: { wardId, idPrefix: `${replayId}.` },
      ...(startAt !== undefined ? { startAt } : {}),
      sink: (header) => createCloudIngestSink({ wardId, gatewayId: `gw-${wardId}`, devices: header.devices, ingest: options.ingest, batchRecords: options.batchRecords }),
    });
    const e: Entry = { replayId, recordingId, wardId, startedBy: user, startedAt: now(), replayer };
    replays.set(replayId, e);
    let announced = false;
    void replayer.done.then((result) => {
      const log = result.state === 'failed' ? logger.error.bind(logger) : logger.info.bind(logger);
      log({ replayId, state: result.state, messages: result.messages, wallMs: result.wallMs, error: result.error, sink: result.sink }, 'replay ended');
      if (announced) options.onChange?.('end', statusOf(e));
      ended.push(replayId);
      while (ended.length > KEEP_ENDED) replays.delete(ended.shift()!);
    });
    // A file that is not a session fails before anything reaches the pipeline: report it to the caller.
    await replayer.header();
    logger.info({ replayId, recordingId, wardId, speed, startAt }, 'replay started');
    announced = true;
    options.onChange?.('start', statusOf(e));
    return e;
  }

  return {
    /** Start playing a recording; resolves once its header has been read. */
    async play(recordingId: string, speed: ReplaySpeed, user: string): Promise<PlayResponse> {
      const e = await start(recordingId, speed, user);
      return { replayId: e.replayId, wardId: e.wardId };
    },
    list: (): ReplayStatus[] => [...replays.values()].map(statusOf).sort((a, b) => b.startedAt - a.startedAt),
    status: (replayId: string): ReplayStatus => statusOf(entry(replayId)),
    pause(replayId: string): ReplayStatus {
      const e = entry(replayId);
      e.replayer.pause();
      return statusOf(e);
    },
    resume(replayId: string): ReplayStatus {
      const e = entry(replayId);
      e.replayer.resume();
      return statusOf(e);
    },
    speed(replayId: string, speed: ReplaySpeed): ReplayStatus {
      const e = entry(replayId);
      e.replayer.setSpeed(speed);
      return statusOf(e);
    },
    /**
     * Seek to event time `to`. Forward: the same replay fast-forwards. Backward: a new replay (new id and ward) starts
     * fast-forwarded to `to` and this one stops; the answer is the status of the replay that continues.
     */
    async seek(replayId: string, to: number, user: string): Promise<ReplayStatus> {
      const e = entry(replayId);
      const p = e.replayer.status();
      if (p.state !== 'running' && p.state !== 'paused') throw new PmError('PM_ERR_REPLAY_STATE', `cannot seek a replay that is ${p.state}`);
      if (to < p.start || to > p.end) throw new PmError('PM_ERR_VALIDATION', `seek target ${to} is outside the session (${p.start} to ${p.end})`);
      if (to >= p.position) {
        e.replayer.seek(to);
        return statusOf(e);
      }
      const paused = p.state === 'paused';
      await e.replayer.stop();
      const next = await start(e.recordingId, p.speed, user, to);
      if (paused) next.replayer.pause();
      logger.info({ replayId, continuedAs: next.replayId, to }, 'replay seeked backwards: continued as a new replay');
      return statusOf(next);
    },
    async stop(replayId: string): Promise<ReplayStatus> {
      const e = entry(replayId);
      if (isActive(e)) await e.replayer.stop();
      return statusOf(e);
    },
    /** Stop every replay (service shutdown). */
    async close(): Promise<void> {
      await Promise.all([...replays.values()].filter(isActive).map((e) => e.replayer.stop()));
    },
  };
}
export type ReplayManager = ReturnType<typeof createReplayManager>;
