/**
 * The recording store: session files (contracts/src/session.ts, v1) kept under the cloud's data directory, one file
 * per recording plus a small JSON sidecar with its metadata (RecordingInfo), so listing never re-reads a session.
 *
 *   <dir>/<id>.vsession   the session, byte for byte as uploaded or imported (JSONL or gzip: the reader sniffs it)
 *   <dir>/<id>.json       RecordingInfo (written last: a recording without it does not exist)
 *
 * `add` streams its input to a temporary file under a size limit, then validates it with the streamed session reader
 * (every line, bounded memory), and only then publishes it; a bad file is removed and reported with its line.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ID_PATTERN, PmError, RecordingInfo } from '@vigil/contracts';
import { readSession } from '@vigil/contracts/session-io';

export interface RecordingStoreOptions {
  /** Directory holding the recordings (created if missing). */
  dir: string;
  /** Largest accepted file in bytes, as stored (compressed if gzip). Default 512 MiB. */
  maxBytes?: number;
  now?: () => number;
}

export interface RecordingStore {
  readonly dir: string;
  /** Every stored recording, newest first. */
  list(): Promise<RecordingInfo[]>;
  /** One recording's metadata; undefined when there is none with this id. */
  get(id: string): Promise<RecordingInfo | undefined>;
  /** Where the session file of a recording lives (whether or not it exists); throws for a malformed id. */
  filePath(id: string): string;
  /**
   * Store a session from a stream (JSONL or gzip, detected by content). Throws PM_ERR_RECORDING_TOO_LARGE past the
   * size limit and PM_ERR_SESSION_FORMAT (file, line, reason) for an invalid session; nothing is kept on failure.
   */
  add(input: Readable | AsyncIterable<Uint8Array | string>, name: string): Promise<RecordingInfo>;
  /** Delete a recording; false when there was none. */
  remove(id: string): Promise<boolean>;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

function checkId(id: string): string {
  if (!ID_PATTERN.test(id)) throw new PmError('PM_ERR_VALIDATION', `recording id ${JSON.stringify(id.slice(0, 70))} is malformed`);
  return id;
}

/** Counts bytes and fails once the limit is passed, so an oversized upload stops early instead of filling the disk. */
function byteLimit(maxBytes: number): Transform & { bytes: () => number; head: () => Buffer } {
  let bytes = 0;
  let head = Buffer.alloc(0);
  const t = new Transform({
    transform(chunk: Buffer | string, _enc, callback) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buf.length;
      if (head.length < 2) head = Buffer.concat([head, buf.subarray(0, 2 - head.length)]);
      if (bytes > maxBytes) {
        callback(new PmError('PM_ERR_RECORDING_TOO_LARGE', `recording exceeds the upload limit of ${maxBytes} bytes`));
        return;
      }
      callback(null, buf);
    },
  });
  return Object.assign(t, { bytes: () => bytes, head: () => head });
}

export function createRecordingStore(options: RecordingStoreOptions): RecordingStore {
  const dir = options.dir;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const now = options.now ?? Date.now;
  let ready: Promise<unknown> | undefined;
  const ensureDir = () => (ready ??= mkdir(dir, { recursive: true }));

  const infoPath = (id: string) => join(dir, `${checkId(id)}.json`);

  async function readInfo(id: string): Promise<RecordingInfo | undefined> {
    let text: string;
    try {
      text = await readFile(infoPath(id), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const parsed = RecordingInfo.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  }

  // One name whether gzip or not: readSession detects gzip by its magic bytes, so filePath needs no lookup.
  const pathFor = (id: string) => join(dir, `${checkId(id)}.vsession`);

  return {
    dir,
    async list() {
      await ensureDir();
      const names = await readdir(dir);
      const infos = await Promise.all(
        names.filter((n) => n.endsWith('.json') && ID_PATTERN.test(n.slice(0, -5))).map((n) => readInfo(n.slice(0, -5))),
      );
      return infos
        .filter((i): i is RecordingInfo => i !== undefined)
        .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
    },
    get: (id) => (ID_PATTERN.test(id) ? readInfo(id) : Promise.resolve(undefined)),
    filePath: pathFor,
    async add(input, name) {
      await ensureDir();
      const id = `rec-${now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const tmp = join(dir, `.${id}.upload`);
      const limit = byteLimit(maxBytes);
      try {
        await pipeline(input, limit, createWriteStream(tmp));
        let header: { source: RecordingInfo['source']; patients: unknown[]; start: number; end: number } | undefined;
        let records = 0;
        try {
          for await (const item of readSession(tmp)) {
            if (item.kind === 'header') header = item.header;
            else records++;
          }
        } catch (err) {
          // Name the upload, not the temporary file, in the message the client sees.
          if (err instanceof PmError) throw new PmError(err.code, err.message.replaceAll(tmp, name), err.details);
          throw err;
        }
        if (!header) throw new PmError('PM_ERR_SESSION_FORMAT', `${name}: no header`);
        const head = limit.head();
        const gzip = head[0] === 0x1f && head[1] === 0x8b;
        const file = pathFor(id);
        await rename(tmp, file);
        const info = RecordingInfo.parse({
          id,
          name: name.slice(0, 200) || id,
          source: header.source,
          patients: header.patients.length,
          start: header.start,
          end: header.end,
          bytes: (await stat(file)).size,
          records,
          gzip,
          createdAt: now(),
        });
        await writeFile(infoPath(id), `${JSON.stringify(info)}\n`);
        return info;
      } finally {
        await rm(tmp, { force: true });
      }
    },
    async remove(id) {
      const info = await readInfo(id);
      if (!info) return false;
      // Metadata first: from then on the recording is gone for every reader, even if the file delete fails.
      await rm(infoPath(id), { force: true });
      await rm(pathFor(id), { force: true });
      return true;
    },
  };
}
