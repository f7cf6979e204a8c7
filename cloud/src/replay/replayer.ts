/**
 * The replayer: reads a session file as a stream (contracts/src/session-io.ts) and feeds its device messages, in the
 * recorded order, to a sink (replay-sinks.ts: straight into cloud ingest, or through an edge gateway over MQTT), on
 * a virtual clock (virtual-clock.ts): ×1, ×N, or 'max' — as fast as the pipeline takes them, each batch awaited
 * (back-pressure), so memory stays bounded by one batch and the reader's buffer whatever the file's size.
 *
 * Ground-truth records are counted and never fed (a detector never sees the truth).
 *
 * Controls: pause / resume (the clock holds), speed change, stop, and seek:
 *   forward  — the messages up to the target are fed at 'max' (the pipeline's state at the target is exactly what
 *              a straight replay gives), then the clock continues at the replay's speed from the target;
 *   backward — the cloud already holds the later data and processing is idempotent, so a replay cannot un-see it:
 *              the replayer refuses (PM_ERR_REPLAY_STATE) and the replay manager starts a new replay, into a new
 *              replay ward, fast-forwarded to the target (`startAt`).
 *
 * Identity: `mapping` moves every patient and device into the replay's namespace — ward `mapping.wardId`, and
 * `mapping.idPrefix` before each patient, bed-independent device and ground-truth patient id — so a recording can be
 * replayed any number of times without its sample keys colliding with earlier replays or with live data.
 */
import { PmError, type ReplaySpeed, type ReplayState, type SessionHeader, type SessionMessage } from '@vigil/contracts';
import { readSession } from '@vigil/contracts/session-io';
import type { ReplaySink } from './replay-sinks.ts';
import { ReplayCancelled, VirtualClock } from './virtual-clock.ts';

export interface ReplayMapping {
  /** Ward of every patient and device (default: as recorded). */
  wardId?: string;
  /** Prefix of patient and device ids (default: none). */
  idPrefix?: string;
}

export interface ReplayerOptions {
  file: string;
  speed: ReplaySpeed;
  mapping?: ReplayMapping;
  /** Build the sink once the (mapped) header is known. */
  sink: (header: SessionHeader) => ReplaySink | Promise<ReplaySink>;
  /** Fast-forward to this event time first (a backward seek's restart). */
  startAt?: number;
  /** An edge gateway of this replay uses the same clock: create it first and pass it. */
  clock?: VirtualClock;
  wallNow?: () => number;
}

export interface ReplayProgress {
  state: ReplayState;
  speed: ReplaySpeed;
  position: number;
  start: number;
  end: number;
  messages: number;
  truth: number;
  error?: string;
}

export interface ReplayResult extends ReplayProgress {
  wallMs: number;
  sink: Record<string, number>;
}

class SeekSignal extends ReplayCancelled {}
class StopSignal extends ReplayCancelled {}

/** The id a recorded id becomes in the replay's namespace; refuses one that would exceed the 64-character limit. */
export function mapId(id: string, prefix: string | undefined): string {
  if (!prefix) return id;
  const mapped = `${prefix}${id}`;
  if (mapped.length > 64) throw new PmError('PM_ERR_VALIDATION', `replayed id ${mapped.slice(0, 70)} exceeds 64 characters`);
  return mapped;
}

export function mapHeader(header: SessionHeader, mapping: ReplayMapping = {}): SessionHeader {
  const ward = (w: string) => mapping.wardId ?? w;
  const id = (x: string) => mapId(x, mapping.idPrefix);
  return {
    ...header,
    patients: header.patients.map((p) => ({ ...p, patientId: id(p.patientId), wardId: ward(p.wardId) })),
    devices: header.devices.map((d) => ({ ...d, deviceId: id(d.deviceId), patientId: id(d.patientId), wardId: ward(d.wardId) })),
  };
}

function mapMessage(m: SessionMessage, prefix: string | undefined): SessionMessage {
  if (!prefix) return m;
  return { ...m, message: { ...m.message, deviceId: mapId(m.message.deviceId, prefix) } } as SessionMessage;
}

export function createReplayer(options: ReplayerOptions) {
  const wallNow = options.wallNow ?? Date.now;
  const clock = options.clock ?? new VirtualClock({ start: 0, speed: options.speed, wallNow });
  if (options.clock) clock.setSpeed(options.speed);
  const prefix = options.mapping?.idPrefix;
  let state: ReplayState = 'running';
  let error: string | undefined;
  let header: SessionHeader | undefined;
  let position = 0;
  let messages = 0;
  let truth = 0;
  let fastForwardTo = options.startAt;
  let stopped = false;
  let sink: ReplaySink | undefined;
  const started = wallNow();
  let resolveHeader!: (h: SessionHeader) => void;
  let rejectHeader!: (err: unknown) => void;
  const headerReady = new Promise<SessionHeader>((resolve, reject) => {
    resolveHeader = resolve;
    rejectHeader = reject;
  });
  headerReady.catch(() => undefined);

  const progress = (): ReplayProgress => ({
    state,
    speed: clock.speed,
    position: header ? Math.max(header.start, state === 'running' || state === 'paused' ? Math.max(position, clock.now()) : position) : 0,
    start: header?.start ?? 0,
    end: header?.end ?? 0,
    messages,
    truth,
    ...(error ? { error } : {}),
  });

  /** Wait for the message's time; a seek interrupts the wait and the message is looked at again. */
  async function pace(t: number, s: ReplaySink): Promise<void> {
    for (;;) {
      if (stopped) throw new StopSignal();
      if (fastForwardTo !== undefined) {
        if (t < fastForwardTo) return; // fast-forward: no wait
        await s.flush();
        clock.set(fastForwardTo);
        fastForwardTo = undefined;
      }
      const due = clock.paused || (clock.speed !== 'max' && t > clock.now());
      if (!due) {
        if (clock.speed === 'max' && t > clock.now()) clock.set(t);
        return;
      }
      await s.flush();
      try {
        await clock.waitUntil(t);
        return;
      } catch (err) {
        if (err instanceof SeekSignal) continue;
        throw err;
      }
    }
  }

  async function run(): Promise<void> {
    for await (const item of readSession(options.file)) {
      if (item.kind === 'header') {
        header = mapHeader(item.header, options.mapping);
        position = header.start;
        clock.set(header.start);
        sink = await options.sink(header);
        resolveHeader(header);
        continue;
      }
      if (item.kind === 'truth') {
        truth++;
        continue;
      }
      const m = mapMessage(item, prefix);
      await pace(m.sentAt, sink!);
      const pending = sink!.add(m);
      if (pending) await pending;
      messages++;
      if (m.sentAt > position) position = m.sentAt;
      if (stopped) throw new StopSignal();
    }
    await sink?.flush();
  }

  const done: Promise<ReplayResult> = (async () => {
    try {
      await run();
      state = 'finished';
    } catch (err) {
      if (err instanceof StopSignal) state = 'stopped';
      else {
        state = 'failed';
        error = (err as Error).message;
        rejectHeader(err);
      }
    }
    try {
      await sink?.close();
    } catch (err) {
      if (state !== 'failed') {
        state = 'failed';
        error = (err as Error).message;
      }
    }
    return { ...progress(), wallMs: wallNow() - started, sink: sink?.stats() ?? {} };
  })();

  const active = () => state === 'running' || state === 'paused';
  const refuse = (what: string) => new PmError('PM_ERR_REPLAY_STATE', `cannot ${what} a replay that is ${state}`);

  return {
    clock,
    /** The mapped header, once read (rejects when the file is not a session). */
    header: () => headerReady,
    status: progress,
    done,
    pause(): void {
      if (!active()) throw refuse('pause');
      clock.pause();
      state = 'paused';
    },
    resume(): void {
      if (!active()) throw refuse('resume');
      clock.resume();
      state = 'running';
    },
    setSpeed(speed: ReplaySpeed): void {
      if (!active()) throw refuse('change the speed of');
      clock.setSpeed(speed);
    },
    /** Forward seek to event time `t` (see the file header for backward seeks). */
    seek(t: number): void {
      if (!active()) throw refuse('seek');
      const at = Math.max(position, clock.now());
      if (t < at) throw new PmError('PM_ERR_REPLAY_STATE', `seek backwards (to ${t}, replay at ${at}) needs a new replay`);
      if (header && t > header.end) throw new PmError('PM_ERR_VALIDATION', `seek target ${t} is after the session's end ${header.end}`);
      fastForwardTo = t;
      clock.cancel(new SeekSignal());
    },
    async stop(): Promise<ReplayResult> {
      if (active()) {
        stopped = true;
        clock.cancel(new StopSignal());
      }
      return done;
    },
  };
}
export type Replayer = ReturnType<typeof createReplayer>;
