/**
 * Reading and writing session files (format v1, see session.ts): JSON Lines, optionally gzip, always streamed so a
 * 24-hour ward session never has to fit in memory. Node-only (node:fs, node:zlib): subpath
 * `@vigil/contracts/session-io`.
 *
 * Lines are not parsed with parsePayload: its 16 KiB limit is for device payloads (a session header with a whole
 * ward can exceed it) and its reviver-based key check makes JSON.parse several times slower. The strict zod
 * schemas already reject unknown keys, so `__proto__` cannot reach a record.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, type Readable, type Writable } from 'node:stream';
import { finished, pipeline as pipelinePromise } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { z } from 'zod';
import { PmError } from './errors.ts';
import {
  SESSION_FORMAT,
  SESSION_VERSION,
  SessionHeader,
  SessionMessage,
  SessionRecord,
  SessionTruth,
} from './session.ts';

export interface SessionWriterOptions {
  /** gzip the file; default: the path ends with `.gz`. */
  gzip?: boolean;
  /** Validate every record with zod before writing it (slower). The header is always validated. Default false. */
  validate?: boolean;
}

export interface SessionWriter {
  /** Queue one record; when the stream is full, returns a promise that resolves once it has drained. */
  write(record: SessionRecord): Promise<void> | void;
  /** Flush and close the file. `records` excludes the header; `bytes` is the size on disk (compressed if gzip). */
  close(): Promise<{ records: number; bytes: number }>;
}

export interface ReadSessionOptions {
  /** A longer line is rejected rather than buffered without bound (a waveform chunk is ~15 KB). Default 4 MiB. */
  maxLineChars?: number;
}

/** What readSession yields: the header first, then every record in file order. */
export type SessionItem = { kind: 'header'; header: SessionHeader } | SessionRecord;

// A fixed level keeps output byte-identical across runs; node:zlib writes MTIME 0, so gzip carries no timestamp.
const GZIP_LEVEL = 6;
// Lines are batched before they reach the stream: one stream write per 150-byte line costs more than the JSON.
const BATCH_CHARS = 64 * 1024;
const DEFAULT_MAX_LINE_CHARS = 4 * 1024 * 1024;

function issueDetails(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, 10).map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

function schemaError(where: string, error: z.ZodError): PmError {
  const details = issueDetails(error);
  const first = details[0];
  return new PmError('PM_ERR_SESSION_FORMAT', `${where}: ${first ? `${first.path}: ${first.message}` : 'invalid'}`, details);
}

/** Open a session file for writing and write its header line. Throws PM_ERR_SESSION_FORMAT for a bad header. */
export function createSessionWriter(path: string, header: SessionHeader, options: SessionWriterOptions = {}): SessionWriter {
  const parsed = SessionHeader.safeParse(header);
  if (!parsed.success) throw schemaError(`${path}: header`, parsed.error);
  const validate = options.validate ?? false;

  const file = createWriteStream(path);
  const gzip = (options.gzip ?? path.endsWith('.gz')) ? createGzip({ level: GZIP_LEVEL }) : undefined;
  const sink: Writable = gzip ?? file;
  const done = gzip ? pipelinePromise(gzip, file) : finished(file);
  let failure: Error | undefined;
  done.catch((err: unknown) => {
    failure = err as Error;
  });

  let batch = `${JSON.stringify(parsed.data)}\n`;
  let records = 0;
  let closing: Promise<{ records: number; bytes: number }> | undefined;

  function flush(): Promise<void> | void {
    const ok = sink.write(batch);
    batch = '';
    if (ok) return;
    // done only settles early by rejecting, so the race resolves on 'drain' or fails with the stream's error.
    return Promise.race([once(sink, 'drain').then(() => undefined), done]);
  }

  return {
    write(record) {
      if (closing) throw new Error(`${path}: session writer is closed`);
      if (failure) throw failure;
      if (validate) {
        const result = SessionRecord.safeParse(record);
        if (!result.success) throw schemaError(`${path}: record ${records + 1}`, result.error);
      }
      batch += `${JSON.stringify(record)}\n`;
      records++;
      if (batch.length >= BATCH_CHARS) return flush();
    },
    close() {
      closing ??= (async () => {
        if (batch.length > 0) sink.write(batch);
        batch = '';
        sink.end();
        await done;
        return { records, bytes: file.bytesWritten };
      })();
      return closing;
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, safe rendering of an unexpected value for an error message. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Stream a session file: yields `{ kind: 'header', header }` first, then each record, every line validated.
 * gzip is detected by its magic bytes (1f 8b), not by the name. A malformed file throws PM_ERR_SESSION_FORMAT naming
 * the file and the 1-based line. Blank lines are skipped. Breaking out of the loop closes the file.
 */
export async function* readSession(path: string, options: ReadSessionOptions = {}): AsyncGenerator<SessionItem, void, undefined> {
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const handle = await open(path, 'r');
  let isGzip: boolean;
  let raw: Readable;
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    isGzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    raw = handle.createReadStream({ start: 0 }); // closes the handle when it ends or is destroyed
  } catch (err) {
    await handle.close();
    throw err;
  }
  let input: Readable = raw;
  if (isGzip) {
    // Errors reach the consumer through gunzip's iterator; the callback only stops pipeline from throwing.
    input = pipeline(raw, createGunzip(), () => undefined);
  }
  input.setEncoding('utf8');

  const fail = (line: number, what: string, details?: Array<{ path: string; message: string }>): PmError =>
    new PmError('PM_ERR_SESSION_FORMAT', `${path}, line ${line}: ${what}`, details);

  let header: SessionHeader | undefined;
  let lineNo = 0;

  const parseLine = (text: string): SessionItem | undefined => {
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw fail(lineNo, `invalid JSON (${(err as Error).message.slice(0, 120)})`);
    }
    if (!header) {
      if (!isObject(value) || value.kind !== 'header') {
        const found = isObject(value) ? `a record of kind ${show(value.kind)}` : show(value);
        throw fail(lineNo, `missing header: the first line must be a "${SESSION_FORMAT}" header, found ${found}`);
      }
      if (value.format !== SESSION_FORMAT || value.version !== SESSION_VERSION) {
        throw fail(
          lineNo,
          `wrong format/version: expected format "${SESSION_FORMAT}" version ${SESSION_VERSION}, ` +
            `found format ${show(value.format)} version ${show(value.version)}`,
        );
      }
      const result = SessionHeader.safeParse(value);
      if (!result.success) throw schemaError(`${path}, line ${lineNo}: header`, result.error);
      header = result.data;
      return { kind: 'header', header };
    }
    const kind = isObject(value) ? value.kind : undefined;
    // Dispatch on kind ourselves: zod's error for the full union would not say which member's field is wrong.
    const schema = kind === 'message' ? SessionMessage : kind === 'truth' ? SessionTruth : undefined;
    if (!schema) {
      if (kind === 'header') throw fail(lineNo, 'a second header (only the first line may be a header)');
      throw fail(lineNo, `unknown record kind ${show(kind)} (expected "message" or "truth")`);
    }
    const result = schema.safeParse(value);
    if (!result.success) throw schemaError(`${path}, line ${lineNo}`, result.error);
    return result.data;
  };

  let rest = '';
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      let newline: number;
      while ((newline = text.indexOf('\n', start)) !== -1) {
        lineNo++;
        const end = newline > start && text.charCodeAt(newline - 1) === 13 /* \r */ ? newline - 1 : newline;
        const item = parseLine(text.slice(start, end));
        start = newline + 1;
        if (item) yield item;
      }
      rest = text.slice(start);
      if (rest.length > maxLineChars) throw fail(lineNo + 1, `line longer than ${maxLineChars} characters`);
    }
  } catch (err) {
    // zlib errors (Z_BUF_ERROR "unexpected end of file", Z_DATA_ERROR) mean a truncated or corrupt gzip file.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new PmError(
        'PM_ERR_SESSION_FORMAT',
        `${path}: gzip data is truncated or corrupt after line ${lineNo}: ${(err as Error).message}`,
      );
    }
    throw err;
  } finally {
    input.destroy();
    raw.destroy();
  }
  if (rest.length > 0) {
    lineNo++;
    const item = parseLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
    if (item) yield item;
  }
  if (!header) throw fail(lineNo + 1, `missing header: the file is empty`);
}
