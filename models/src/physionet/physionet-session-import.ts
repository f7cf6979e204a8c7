/**
 * Import PhysioNet 2012 record files (directories and/or single files) into ONE session file: every stay a patient of
 * one ward, all admitted at `base`, the stays' messages merged in send order with ground truth at its onset.
 * Rejected files are reported by name and line (PhysioNetFormatError) and skipped; the import goes on.
 *
 * Memory: the stays are held until the merge (set A, 4,000 stays: ~0.9 M messages, measured ~1 GB of heap at peak);
 * the file itself is written as a stream.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SessionRecord } from '@vigil/contracts';
import { createSessionWriter } from '@vigil/contracts/session-io';
import { readOutcomes, type PhysioNetOutcome } from './outcomes.ts';
import { compareSessionMessages, physionetSessionHeader, staySession, type StaySession, type StaySessionCounts } from './physionet-session.ts';
import { PHYSIONET_BASE_MS } from './physionet-dataset.ts';
import { listRecordFiles, PhysioNetFormatError, readRecord, type PhysioNetRecord } from './record-format.ts';

export interface PhysioNetSessionImportOptions {
  /** Directories of <RecordID>.txt files and/or single record files. */
  inputs: readonly string[];
  /** Session file to write (`.gz` → gzip). */
  out: string;
  /** Ward of every stay (default 'physionet-2012'). */
  wardId?: string;
  /** Admission time of every stay, epoch ms (default PHYSIONET_BASE_MS, 2012-01-01T00:00Z). */
  base?: number;
  /** Outcomes-*.txt: each stay's outcome goes on its patient entry. */
  outcomesFile?: string;
  /** At most this many files, in input order. */
  limit?: number;
  /** Told about each rejected file as it happens. */
  onRejected?: (rejection: { file: string; code: string; line: number | null; reason: string }) => void;
  /** Told after each file (progress display). */
  onProgress?: (done: number, total: number) => void;
}

export interface PhysioNetSessionImportReport {
  out: string;
  files: number;
  stays: number;
  /** Stays parsed but with no value a device would send (left out of the session; their RecordIDs). */
  staysWithoutSamples: string[];
  patients: number;
  devices: number;
  messages: number;
  truth: number;
  records: number;
  bytes: number;
  counts: StaySessionCounts;
  /** Stays with an outcome row, and in-hospital deaths among them. */
  outcomes: number;
  deaths: number;
  rejected: Array<{ file: string; code: string; line: number | null; reason: string }>;
  start: number;
  end: number;
  elapsedMs: number;
}

/** The record files named by the inputs, directories expanded in listRecordFiles order. */
async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${input}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
    });
    if (info.isDirectory()) files.push(...(await listRecordFiles(input)).map((name) => join(input, name)));
    else files.push(input);
  }
  return files;
}

export async function importPhysioNetSession(options: PhysioNetSessionImportOptions): Promise<PhysioNetSessionImportReport> {
  const started = performance.now();
  const wardId = options.wardId ?? 'physionet-2012';
  const base = options.base ?? PHYSIONET_BASE_MS;
  const outcomes: Map<string, PhysioNetOutcome> | undefined = options.outcomesFile ? await readOutcomes(options.outcomesFile) : undefined;
  let files = await expandInputs(options.inputs);
  if (options.limit !== undefined) files = files.slice(0, Math.max(0, options.limit));

  const rejected: PhysioNetSessionImportReport['rejected'] = [];
  const stays: StaySession[] = [];
  const staysWithoutSamples: string[] = [];
  const seen = new Map<string, string>();
  const counts: StaySessionCounts = { observations: 0, values: 0, implausible: 0, zero: 0, notCarried: 0 };
  let parsed = 0;
  // Read ahead a few files: the parse is CPU-bound, reading is I/O.
  const AHEAD = 16;
  const settle = (path: string) => readRecord(path).then((record) => ({ record }), (error: unknown) => ({ error }));
  const queue: Array<Promise<{ record: PhysioNetRecord } | { error: unknown }>> = [];
  let next = 0;
  for (let done = 0; done < files.length; done++) {
    while (queue.length < AHEAD && next < files.length) queue.push(settle(files[next++]!));
    const result = await queue.shift()!;
    const reject = (error: PhysioNetFormatError) => {
      const r = { file: error.file, code: error.code, line: error.line, reason: error.message };
      rejected.push(r);
      options.onRejected?.(r);
    };
    if ('error' in result) {
      if (result.error instanceof PhysioNetFormatError) reject(result.error);
      else throw result.error;
    } else {
      const { record } = result;
      const earlier = seen.get(record.recordId);
      if (earlier !== undefined) {
        reject(new PhysioNetFormatError('PM_ERR_PHYSIONET_DUPLICATE', record.file, null, `RecordID ${record.recordId} was already imported from ${earlier}`));
      } else {
        seen.set(record.recordId, record.file);
        parsed++;
        const stay = staySession(record, { wardId, base, ...(outcomes?.has(record.recordId) ? { outcome: outcomes.get(record.recordId)! } : {}) });
        for (const k of Object.keys(counts) as Array<keyof StaySessionCounts>) counts[k] += stay.counts[k];
        if (stay.messages.length === 0) staysWithoutSamples.push(record.recordId);
        else stays.push(stay);
      }
    }
    options.onProgress?.(done + 1, files.length);
  }

  const header = physionetSessionHeader(stays, base, { importer: 'physionet-2012', wardId, base, files: files.length, inputs: options.inputs.map((i) => basename(i)) });
  const messages = stays.flatMap((s) => s.messages).sort(compareSessionMessages);
  const truth = stays.flatMap((s) => s.truth).sort((a, b) => a.onset - b.onset || (a.id < b.id ? -1 : 1));
  const writer = createSessionWriter(options.out, header);
  let t = 0;
  for (const m of messages) {
    // Ground truth goes in at its onset, before the messages sent at that time (as generate-session.ts does).
    while (t < truth.length && truth[t]!.onset <= m.sentAt) await writer.write({ kind: 'truth', event: truth[t++]! } satisfies SessionRecord);
    const pending = writer.write(m);
    if (pending) await pending;
  }
  while (t < truth.length) await writer.write({ kind: 'truth', event: truth[t++]! });
  const { records, bytes } = await writer.close();
  let deaths = 0;
  let withOutcome = 0;
  for (const s of stays) {
    if (!s.patient.outcome) continue;
    withOutcome++;
    if (s.patient.outcome.inHospitalDeath) deaths++;
  }
  return {
    out: options.out,
    files: files.length,
    stays: parsed,
    staysWithoutSamples,
    patients: header.patients.length,
    devices: header.devices.length,
    messages: messages.length,
    truth: truth.length,
    records,
    bytes,
    counts,
    outcomes: withOutcome,
    deaths,
    rejected,
    start: header.start,
    end: header.end,
    elapsedMs: Math.round(performance.now() - started),
  };
}
