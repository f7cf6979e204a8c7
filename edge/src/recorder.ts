/**
 * The session recorder: writes what the edge accepted from its devices (vitals, status and, optionally, waveforms)
 * to session files (format v1, contracts/src/session.ts) that replay through the same pipeline.
 *
 * Files: one per ward and period (hourly by default; periods are aligned to the epoch, so to UTC hours):
 *   <dir>/<wardId>/<YYYY-MM-DD>/<wardId>-<period start, ISO 8601 with ':' → '-'>.vsession.jsonl.gz
 * The header is the first line of a (gzip) stream and cannot be rewritten, so its start/end are the period bounds
 * [start, end), known up front, not the span of the data. A record whose receivedAt reaches the period end closes the
 * file and opens the next one; a timer also closes it shortly after the period end, so a quiet ward's last file is
 * complete on disk. A file is never truncated: if the name exists (gateway restarted within the period), `.2`, `.3`,
 * … goes before the extension. The same happens when a device absent from the open file's header (or moved to
 * another patient or bed) is recorded: a new part is opened, so a header always describes every device in its file.
 *
 * sentAt = receivedAt, the time the edge received the message; the device's event time stays in message.t and can be
 * earlier than the header's start (buffered or late device data). Within a file, messages are in arrival order; one
 * received before the open file's start (the clock stepped back) stays in that file rather than reopen a past period.
 *
 * Never in the way of ingest: record() only queues and returns; one async loop writes. The queue is bounded by an
 * estimate of the memory it retains; beyond it, records are dropped and counted. Errors are counted and passed to
 * onError, never thrown. A file that fails is abandoned; the rest of its period is lost (counted in `lost`) and the
 * next period tries a new file (one report per failed file, not one per message).
 */
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SESSION_FORMAT, SESSION_VERSION, type DeviceRegistryEntry, type DeviceStatus, type SessionHeader } from '@vigil/contracts';
import type { SessionMessage, SessionPatient, VitalsSample, WaveformChunk } from '@vigil/contracts';
import { createSessionWriter, type SessionWriter } from '@vigil/contracts/session-io';

export type RecorderChannel = SessionMessage['channel'];
export type RecordedMessage = VitalsSample | DeviceStatus | WaveformChunk;

export interface RecorderOptions {
  /** Root folder; files go to <dir>/<wardId>/<YYYY-MM-DD>/. */
  dir: string;
  wardId: string;
  /** Written to each header's `generator` field, with periodMs and waves (the header has no gateway field). */
  gatewayId: string;
  /** Devices (and through them patients) named in every header; a function is called again for each new file. */
  devices: DeviceRegistryEntry[] | (() => DeviceRegistryEntry[]);
  /** Defaults in RECORDER_DEFAULTS. */
  periodMs?: number;
  gzip?: boolean;
  waves?: boolean;
  maxQueueBytes?: number;
  /** Failures, never thrown; the edge logs them and counts them in a metric. */
  onError?: (error: Error) => void;
  now?: () => number;
}

export interface RecorderStats {
  queued: number; // records waiting in memory
  written: number; // records handed to a file writer (a failed file also loses its unflushed tail, ≤ ~64 KiB, uncounted)
  files: number; // files opened
  bytes: number; // size on disk of the files closed so far (compressed when gzip)
  dropped: number; // records refused: queue full, or recorded after close()
  lost: number; // records accepted but not written because their file could not be opened or had failed
  errors: number; // failures (mkdir, open, write, close), each reported once through onError
}

export const RECORDER_DEFAULTS = {
  periodMs: 3_600_000, // 1 hour per file
  gzip: true,
  waves: false, // waveform chunks are ~95 % of the bytes
  maxQueueBytes: 16 * 1024 * 1024, // 16 MiB of estimated retained messages
};

// Queued records are estimated, not measured (measuring would cost a JSON.stringify in the ingest path): a parsed
// vitals/status object is a few hundred bytes of heap, a waveform value up to 8 bytes in a V8 array.
const MESSAGE_BYTES = 400;
const WAVE_VALUE_BYTES = 8;
// The period-end timer waits this long past the end, so records received just before it are queued ahead of it.
const SEAL_GRACE_MS = 5_000;

type Item =
  | { device: DeviceRegistryEntry; channel: RecorderChannel; message: RecordedMessage; receivedAt: number; size: number }
  | { seal: number };

interface OpenFile {
  start: number;
  end: number;
  devices: Map<string, DeviceRegistryEntry>;
  writer: SessionWriter | undefined;
}

/** `2025-10-09T08-00-00Z`: ISO 8601 without ':' (not allowed in Windows file names) or a zero fraction. */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z').replace(/:/g, '-');
}

function sameBed(a: DeviceRegistryEntry | undefined, b: DeviceRegistryEntry): boolean {
  return a !== undefined && a.patientId === b.patientId && a.bedId === b.bedId && a.wardId === b.wardId;
}

export function createRecorder(options: RecorderOptions) {
  const { dir, wardId, gatewayId, onError } = options;
  const periodMs = options.periodMs ?? RECORDER_DEFAULTS.periodMs;
  const gzip = options.gzip ?? RECORDER_DEFAULTS.gzip;
  const waves = options.waves ?? RECORDER_DEFAULTS.waves;
  const maxQueueBytes = options.maxQueueBytes ?? RECORDER_DEFAULTS.maxQueueBytes;
  if (!Number.isInteger(periodMs) || periodMs < 1000) throw new Error(`recorder: periodMs must be an integer ≥ 1000, got ${periodMs}`);
  const now = options.now ?? Date.now;
  const extension = gzip ? '.vsession.jsonl.gz' : '.vsession.jsonl';
  const counts = { written: 0, files: 0, bytes: 0, dropped: 0, lost: 0, errors: 0 };
  const seen = new Map<string, DeviceRegistryEntry>(); // devices recorded so far, newest entry wins

  let queue: Array<Item | undefined> = [];
  let head = 0;
  let queuedBytes = 0;
  let current: OpenFile | undefined;
  let sealTimer: NodeJS.Timeout | undefined;
  let pumping: Promise<void> | undefined;
  let closing: Promise<RecorderStats> | undefined;

  function report(err: unknown): void {
    counts.errors++;
    try {
      onError?.(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // a throwing handler must not reach the write loop either
    }
  }

  function headerFor(start: number, end: number, devices: Map<string, DeviceRegistryEntry>): SessionHeader {
    const patients = new Map<string, SessionPatient>();
    for (const d of devices.values()) {
      if (!patients.has(d.patientId)) patients.set(d.patientId, { patientId: d.patientId, wardId: d.wardId, bedId: d.bedId });
    }
    return {
      kind: 'header',
      format: SESSION_FORMAT,
      version: SESSION_VERSION,
      source: 'edge-recorder',
      start,
      end,
      generator: { gatewayId, periodMs, waves },
      patients: [...patients.values()],
      devices: [...devices.values()].map(({ deviceId, deviceType, patientId, bedId, wardId: w }) => ({ deviceId, deviceType, patientId, bedId, wardId: w })),
    };
  }

  async function freePath(folder: string, base: string): Promise<string> {
    for (let part = 1; ; part++) {
      const path = join(folder, `${base}${part === 1 ? '' : `.${part}`}${extension}`);
      try {
        await access(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path;
        throw err;
      }
    }
  }

  async function closeCurrent(): Promise<void> {
    const file = current;
    current = undefined;
    clearTimeout(sealTimer);
    if (!file?.writer) return;
    try {
      counts.bytes += (await file.writer.close()).bytes;
    } catch (err) {
      report(err);
    }
  }

  /** Open the file of the period holding `receivedAt`. On failure `current.writer` stays undefined and it throws. */
  async function open(receivedAt: number): Promise<void> {
    await closeCurrent();
    const start = Math.floor(receivedAt / periodMs) * periodMs;
    const end = start + periodMs;
    const file: OpenFile = { start, end, devices: new Map(), writer: undefined };
    current = file; // before anything can throw, so a failure costs one report per file, not one per message
    sealTimer = setTimeout(() => {
      queue.push({ seal: start });
      kick();
    }, Math.max(0, end - now()) + SEAL_GRACE_MS).unref();
    const listed = typeof options.devices === 'function' ? options.devices() : options.devices;
    // Registry order, then devices recorded since; a recorded entry wins (it is what the messages were placed with).
    for (const d of [...listed, ...seen.values()]) file.devices.set(d.deviceId, seen.get(d.deviceId) ?? d);
    const folder = join(dir, wardId, new Date(start).toISOString().slice(0, 10));
    await mkdir(folder, { recursive: true });
    file.writer = createSessionWriter(await freePath(folder, `${wardId}-${fileStamp(start)}`), headerFor(start, end, file.devices), { gzip });
    counts.files++;
  }

  async function writeOne(item: Exclude<Item, { seal: number }>): Promise<void> {
    let handed = false;
    seen.set(item.device.deviceId, item.device); // here, not in record(): a header describes the entries written so far
    try {
      if (!current || item.receivedAt >= current.end) await open(item.receivedAt);
      else if (current.writer && !sameBed(current.devices.get(item.device.deviceId), item.device)) await open(current.start);
      const writer = current?.writer;
      if (!writer) {
        counts.lost++;
        return;
      }
      const record = { kind: 'message', sentAt: item.receivedAt, channel: item.channel, message: item.message } as SessionMessage;
      const pending = writer.write(record);
      handed = true;
      counts.written++;
      if (pending) await pending;
    } catch (err) {
      if (!handed) counts.lost++;
      report(err);
      const writer = current?.writer;
      if (current) current.writer = undefined; // abandoned: the rest of this period is lost, counted
      writer?.close().catch(() => undefined); // releases the file descriptor; the error was reported once
    }
  }

  async function pump(): Promise<void> {
    while (head < queue.length) {
      const item = queue[head]!;
      queue[head++] = undefined;
      if (head >= 1024 && head * 2 >= queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      if ('seal' in item) {
        if (current?.start === item.seal) await closeCurrent();
        continue;
      }
      queuedBytes -= item.size;
      await writeOne(item);
    }
  }

  function kick(): void {
    if (pumping) return;
    pumping = pump().finally(() => {
      pumping = undefined;
      if (head < queue.length && !closing) kick();
    });
  }

  function stats(): RecorderStats {
    return { queued: queue.length - head, ...counts };
  }

  return {
    /**
     * Queue one accepted, validated device message; returns at once and never throws. `receivedAt` (default now())
     * is the edge's receive time: it becomes the record's sentAt and chooses the file.
     */
    record(device: DeviceRegistryEntry, channel: RecorderChannel, message: RecordedMessage, receivedAt: number = now()): void {
      if (channel === 'wave' && !waves) return;
      if (closing) {
        counts.dropped++;
        return;
      }
      const values = channel === 'wave' ? (message as WaveformChunk | undefined)?.values : undefined;
      const size = MESSAGE_BYTES + (Array.isArray(values) ? values.length * WAVE_VALUE_BYTES : 0);
      if (queuedBytes + size > maxQueueBytes) {
        counts.dropped++;
        return;
      }
      queue.push({ device, channel, message, receivedAt, size });
      queuedBytes += size;
      kick();
    },
    stats,
    /** Write what is queued, close the current file and return the final stats. Later records are dropped. */
    close(): Promise<RecorderStats> {
      closing ??= (async () => {
        clearTimeout(sealTimer);
        while (pumping || head < queue.length) {
          if (!pumping) kick();
          await pumping;
        }
        await closeCurrent();
        return stats();
      })();
      return closing;
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;
