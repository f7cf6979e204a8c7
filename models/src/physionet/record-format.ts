/**
 * One record file of the PhysioNet/CinC Challenge 2012 ("Predicting mortality of ICU patients"): CSV
 * `Time,Parameter,Value`, Time `hh:mm` since ICU admission (any number of hour digits), descriptors at 00:00
 * (RecordID, Age, Gender, Height, ICUType, Weight; -1 = missing), then the time series. Any set (A, B, C) and any
 * parameter is accepted; which parameters become vitals is parameter-map.ts's decision, not the parser's.
 * @see https://physionet.org/content/challenge-2012/1.0.0/ (format, descriptors, ICUType codes)
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';

/**
 * Error codes of the PhysioNet readers (this file and outcomes.ts), in the style of contracts/src/errors.ts: stable
 * codes, a default message and a low-cardinality reason for counts. Kept here rather than in contracts because only
 * the offline importer can raise them.
 */
export const PHYSIONET_ERRORS = {
  PM_ERR_PHYSIONET_READ: { message: 'file could not be read', reason: 'read' },
  PM_ERR_PHYSIONET_HEADER: { message: 'first line is not the expected CSV header', reason: 'header' },
  PM_ERR_PHYSIONET_FIELDS: { message: 'line does not have the expected number of comma-separated fields', reason: 'fields' },
  PM_ERR_PHYSIONET_TIME: { message: 'time is not hh:mm since ICU admission', reason: 'time' },
  PM_ERR_PHYSIONET_PARAMETER: { message: 'parameter name is empty or not a name', reason: 'parameter' },
  PM_ERR_PHYSIONET_VALUE: { message: 'value is not a finite number', reason: 'value' },
  PM_ERR_PHYSIONET_DESCRIPTOR: { message: 'descriptor is missing, conflicting or not a valid code', reason: 'descriptor' },
  PM_ERR_PHYSIONET_DUPLICATE: { message: 'the same RecordID appears twice', reason: 'duplicate' },
} as const;
export type PhysioNetErrorCode = keyof typeof PHYSIONET_ERRORS;

/** A rejected input, always naming the file and, when one line is at fault, its 1-based number. */
export class PhysioNetFormatError extends Error {
  readonly code: PhysioNetErrorCode;
  readonly reason: string;
  readonly file: string;
  readonly line: number | null;
  /** What was wrong, without the location prefix. */
  readonly detail: string;

  constructor(code: PhysioNetErrorCode, file: string, line: number | null, detail: string = PHYSIONET_ERRORS[code].message) {
    super(`${file}${line === null ? '' : `:${line}`}: ${detail}`);
    this.name = 'PhysioNetFormatError';
    this.code = code;
    this.reason = PHYSIONET_ERRORS[code].reason;
    this.file = file;
    this.line = line;
    this.detail = detail;
  }
}

/** ICUType codes of the challenge: 1 coronary care, 2 cardiac surgery recovery, 3 medical, 4 surgical. */
export const ICU_TYPES = ['ccu', 'csru', 'micu', 'sicu'] as const;

export const PhysioNetObservation = z.object({
  /** Minutes since ICU admission. */
  minutes: z.number().int().min(0),
  parameter: z.string(),
  value: z.number(),
  /** 1-based line in the file, for messages that point back at the data. */
  line: z.number().int().positive(),
});
export type PhysioNetObservation = z.infer<typeof PhysioNetObservation>;

export const PhysioNetRecord = z.object({
  /** File name without the directory, as named in errors. */
  file: z.string(),
  /** Digits, as written (kept a string: an identifier, not a quantity). */
  recordId: z.string().regex(/^\d+$/),
  /** The general descriptors at 00:00; null where the file gives -1 or omits them. Height cm, weight kg, age years. */
  descriptors: z.object({
    age: z.number().nullable(),
    gender: z.enum(['female', 'male']).nullable(),
    heightCm: z.number().nullable(),
    icuType: z.enum(ICU_TYPES).nullable(),
    weightKg: z.number().nullable(),
  }),
  /** Every time-series row (known or not), in time order (file order within a minute). */
  observations: z.array(PhysioNetObservation),
});
export type PhysioNetRecord = z.infer<typeof PhysioNetRecord>;

const HEADER = 'Time,Parameter,Value';
const TIME = /^(\d+):(\d\d)$/;
const PARAMETER = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
// Decimal numbers only: Number() would also take '', ' ', '0x1F', 'Infinity' and '1_0'-free forms we do not want.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DESCRIPTORS = new Set(['RecordID', 'Age', 'Gender', 'Height', 'ICUType', 'Weight']);

function parseTime(text: string, file: string, line: number): number {
  const match = TIME.exec(text);
  if (!match) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_TIME', file, line, `time ${JSON.stringify(text)} is not hh:mm`);
  const minutes = Number(match[2]);
  if (minutes > 59) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_TIME', file, line, `time ${JSON.stringify(text)}: minutes must be 00-59`);
  const total = Number(match[1]) * 60 + minutes;
  // t = base + minutes × 60 000 must stay an exact integer of ms.
  if (!Number.isSafeInteger(total * 60_000)) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_TIME', file, line, `time ${JSON.stringify(text)} is too large`);
  return total;
}

function parseValue(text: string, file: string, line: number): number {
  const value = NUMBER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_VALUE', file, line, `value ${JSON.stringify(text)} is not a number`);
  return value;
}

/** A descriptor code (Gender, ICUType): -1 is missing, anything else must be one of `codes`. */
function decode<T extends string>(parameter: string, value: number, codes: Readonly<Record<number, T>>, file: string, line: number): T | null {
  if (value === -1) return null;
  const decoded = codes[value];
  if (decoded === undefined) {
    const allowed = [...Object.keys(codes), '-1'].join(', ');
    throw new PhysioNetFormatError('PM_ERR_PHYSIONET_DESCRIPTOR', file, line, `${parameter} ${value} is not one of ${allowed}`);
  }
  return decoded;
}

/**
 * Parse one record. `file` is the name used in errors (a path is reduced to its base name). Lenient where the format
 * is silent (BOM, CRLF or CR line ends, blank lines, spaces around fields, rows out of time order, unknown parameters),
 * strict where a value would otherwise be guessed: each bad line throws a PhysioNetFormatError naming file and line.
 */
export function parseRecord(text: string, file: string): PhysioNetRecord {
  const name = basename(file);
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\n|\r/);
  const header = lines[0]?.split(',').map((f) => f.trim()).join(',') ?? '';
  if (header !== HEADER) {
    const got = header === '' && lines.length <= 1 ? 'the file is empty' : `got ${JSON.stringify(header.slice(0, 60))}`;
    throw new PhysioNetFormatError('PM_ERR_PHYSIONET_HEADER', name, 1, `expected header "${HEADER}", ${got}`);
  }

  let recordId: string | null = null;
  const seen = new Set<string>();
  const descriptors: PhysioNetRecord['descriptors'] = { age: null, gender: null, heightCm: null, icuType: null, weightKg: null };
  const observations: PhysioNetObservation[] = [];
  let sorted = true;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.trim() === '') continue;
    const fields = raw.split(',');
    if (fields.length !== 3) {
      throw new PhysioNetFormatError('PM_ERR_PHYSIONET_FIELDS', name, lineNo, `expected 3 fields (Time,Parameter,Value), got ${fields.length}`);
    }
    const minutes = parseTime(fields[0]!.trim(), name, lineNo);
    const parameter = fields[1]!.trim();
    if (!PARAMETER.test(parameter)) {
      throw new PhysioNetFormatError('PM_ERR_PHYSIONET_PARAMETER', name, lineNo, `parameter ${JSON.stringify(parameter.slice(0, 60))} is not a name`);
    }
    const valueText = fields[2]!.trim();

    if (parameter === 'RecordID') {
      if (!/^\d+$/.test(valueText)) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_DESCRIPTOR', name, lineNo, `RecordID ${JSON.stringify(valueText)} is not a whole number`);
      if (minutes !== 0) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_DESCRIPTOR', name, lineNo, `RecordID at ${fields[0]!.trim()}; descriptors are at 00:00`);
      if (recordId !== null && recordId !== valueText) {
        throw new PhysioNetFormatError('PM_ERR_PHYSIONET_DESCRIPTOR', name, lineNo, `second RecordID ${valueText} after ${recordId}: one file is one stay`);
      }
      const stem = name.replace(/\.txt$/i, '');
      // Challenge files are named <RecordID>.txt; a mismatch means a renamed or concatenated file.
      if (/^\d+$/.test(stem) && stem !== valueText) {
        throw new PhysioNetFormatError('PM_ERR_PHYSIONET_DESCRIPTOR', name, lineNo, `RecordID ${valueText} does not match the file name`);
      }
      recordId = valueText;
      seen.add(parameter);
      continue;
    }
    const value = parseValue(valueText, name, lineNo);
    // The first of each descriptor at 00:00 is the descriptor; later rows (Weight is also charted over time) are data.
    if (minutes === 0 && DESCRIPTORS.has(parameter) && !seen.has(parameter)) {
      seen.add(parameter);
      if (parameter === 'Gender') descriptors.gender = decode(parameter, value, { 0: 'female', 1: 'male' }, name, lineNo);
      else if (parameter === 'ICUType') descriptors.icuType = decode(parameter, value, { 1: 'ccu', 2: 'csru', 3: 'micu', 4: 'sicu' }, name, lineNo);
      else {
        const known = value === -1 ? null : value;
        if (parameter === 'Age') descriptors.age = known;
        else if (parameter === 'Height') descriptors.heightCm = known;
        else descriptors.weightKg = known;
      }
      continue;
    }
    const last = observations[observations.length - 1];
    if (last && minutes < last.minutes) sorted = false;
    observations.push({ minutes, parameter, value, line: lineNo });
  }
  if (recordId === null) {
    throw new PhysioNetFormatError('PM_ERR_PHYSIONET_DESCRIPTOR', name, Math.min(2, lines.length), 'no RecordID descriptor (expected "00:00,RecordID,<id>" after the header)');
  }
  // Array.prototype.sort is stable, so rows of one minute keep their file order.
  if (!sorted) observations.sort((a, b) => a.minutes - b.minutes);
  return { file: name, recordId, descriptors, observations };
}

/** Read and parse one record file; an unreadable file is a PhysioNetFormatError too (code PM_ERR_PHYSIONET_READ). */
export async function readRecord(path: string): Promise<PhysioNetRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PhysioNetFormatError('PM_ERR_PHYSIONET_READ', basename(path), null, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseRecord(text, path);
}

export interface RecordRejection {
  file: string;
  reason: string;
  error: PhysioNetFormatError;
}

export interface ReadDirectoryOptions {
  /** Called once per rejected file; reading goes on with the next file. */
  onError: (rejection: RecordRejection) => void;
  /** Stop after this many files (accepted or rejected), in name order. */
  limit?: number;
  /** Files read ahead while the caller works on the current one (I/O overlap; 16 by default). */
  readAhead?: number;
}

/** Record files of a directory in a stable order: numeric RecordIDs ascending, then other names. */
export async function listRecordFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() && /\.txt$/i.test(e.name)).map((e) => e.name);
  return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * Stream every `*.txt` record of `dir`, in listRecordFiles order. A file that fails to read or parse is reported to
 * `onError` (file name + reason) and skipped; any other failure (e.g. the directory itself is missing) throws.
 */
export async function* readRecordDirectory(dir: string, options: ReadDirectoryOptions): AsyncGenerator<PhysioNetRecord> {
  let names = await listRecordFiles(dir);
  if (options.limit !== undefined) names = names.slice(0, Math.max(0, options.limit));
  const ahead = Math.max(1, options.readAhead ?? 16);
  const settle = (name: string) => readRecord(join(dir, name)).then(
    (record) => ({ record }),
    (error: unknown) => ({ error }),
  );
  const queue: Array<ReturnType<typeof settle>> = [];
  let next = 0;
  while (next < names.length || queue.length > 0) {
    while (queue.length < ahead && next < names.length) queue.push(settle(names[next++]!));
    const result = await queue.shift()!;
    if ('record' in result) {
      yield result.record;
    } else if (result.error instanceof PhysioNetFormatError) {
      options.onError({ file: result.error.file, reason: result.error.message, error: result.error });
    } else {
      throw result.error;
    }
  }
}
