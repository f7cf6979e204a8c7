import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PmError } from '../src/index.ts';
import type { SessionHeader, SessionRecord } from '../src/index.ts';
import { createSessionWriter, readSession, type SessionItem } from '../src/session-io.ts';
import { T0 } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-session-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function header(overrides: Partial<SessionHeader> = {}): SessionHeader {
  return {
    kind: 'header',
    format: 'vigil-session',
    version: 1,
    source: 'simulator',
    start: T0,
    end: T0 + 3_600_000,
    generator: { seed: 42 },
    patients: [{ patientId: 'p-0001', wardId: 'ward-a', bedId: 'bed-01', age: 67, sex: 'female' }],
    devices: [{ deviceId: 'icu-mon-01', deviceType: 'icu-monitor', patientId: 'p-0001', bedId: 'bed-01', wardId: 'ward-a' }],
    ...overrides,
  };
}

function vitals(seq: number): SessionRecord {
  const t = T0 + seq * 1000;
  return {
    kind: 'message',
    sentAt: t + 20,
    channel: 'vitals',
    message: { v: 1, deviceId: 'icu-mon-01', bootId: 'boot-1', seq, t, vitals: { hr: 70 + (seq % 7), spo2: 97, rr: 16 } },
  };
}

function mixedRecords(): SessionRecord[] {
  return [
    { kind: 'message', sentAt: T0, channel: 'status', message: { v: 1, deviceId: 'icu-mon-01', bootId: 'boot-1', t: T0, state: 'online', reason: 'startup' } },
    vitals(0),
    { kind: 'message', sentAt: T0 + 500, channel: 'wave', message: { v: 1, deviceId: 'icu-mon-01', bootId: 'boot-1', seq: 0, t: T0, kind: 'ecg', hz: 250, values: [0, 12, -40, 800, 30] } },
    {
      kind: 'truth',
      event: { id: 'gt-0001', category: 'clinical', type: 'fever', patientId: 'p-0001', bedId: 'bed-01', onset: T0 + 1000, offset: null, severity: 'mild', affected: ['temp', 'hr'] },
    },
    ...Array.from({ length: 20 }, (_, i) => vitals(i + 1)),
  ];
}

async function writeSession(path: string, records: SessionRecord[], options?: { gzip?: boolean; h?: SessionHeader }) {
  const writer = createSessionWriter(path, options?.h ?? header(), options?.gzip === undefined ? {} : { gzip: options.gzip });
  for (const record of records) await writer.write(record);
  return writer.close();
}

async function readAll(path: string): Promise<SessionItem[]> {
  const items: SessionItem[] = [];
  for await (const item of readSession(path)) items.push(item);
  return items;
}

async function readError(path: string): Promise<PmError> {
  const error = await readAll(path).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(PmError);
  expect((error as PmError).code).toBe('PM_ERR_SESSION_FORMAT');
  return error as PmError;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A valid plain session whose lines (1-based, header = 1) are then edited. */
async function editedSession(name: string, edit: (lines: string[]) => void): Promise<string> {
  const path = join(dir, name);
  await writeSession(path, mixedRecords());
  const lines = readFileSync(path, 'utf8').split('\n');
  edit(lines);
  writeFileSync(path, lines.join('\n'));
  return path;
}

describe('session round trip', () => {
  it.each([
    ['plain', 'rt.vsession.jsonl', undefined, false],
    ['gzip by name', 'rt.vsession.jsonl.gz', undefined, true],
    ['gzip by option, detected by magic bytes', 'rt-gz-no-ext.jsonl', true, true],
    ['plain by option despite .gz name', 'rt-plain.jsonl.gz', false, false],
  ])('%s: records read back equal', async (_name, file, gzip, expectGzip) => {
    const path = join(dir, file);
    const records = mixedRecords();
    const summary = await writeSession(path, records, gzip === undefined ? {} : { gzip });
    expect(summary).toEqual({ records: records.length, bytes: statSync(path).size });
    const bytes = readFileSync(path);
    expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(expectGzip);

    const items = await readAll(path);
    expect(items[0]).toEqual({ kind: 'header', header: header() });
    expect(items.slice(1)).toEqual(records);
  });

  it('writes byte-identical files for identical input, plain and gzip', async () => {
    const exts = ['jsonl', 'jsonl.gz'];
    for (const ext of exts) await writeSession(join(dir, `same-a.${ext}`), mixedRecords());
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a gzip MTIME (seconds) would differ by now
    for (const ext of exts) await writeSession(join(dir, `same-b.${ext}`), mixedRecords());
    for (const ext of exts) expect(sha256(join(dir, `same-a.${ext}`)), ext).toBe(sha256(join(dir, `same-b.${ext}`)));
  });

  it('stops reading and closes the file when the consumer breaks early', async () => {
    const path = join(dir, 'rt.vsession.jsonl.gz');
    let seen = 0;
    for await (const item of readSession(path)) {
      if (item.kind !== 'header') seen++;
      if (seen === 2) break;
    }
    expect(seen).toBe(2);
  });
});

describe('session writer validation', () => {
  it('rejects an invalid header at creation', () => {
    const path = join(dir, 'bad-header.jsonl');
    expect(() => createSessionWriter(path, header({ start: -1 }))).toThrow(PmError);
    expect(() => createSessionWriter(path, header({ start: -1 }))).toThrow(/header: start/);
  });

  it('with validate: true, rejects a bad record naming its number', async () => {
    const writer = createSessionWriter(join(dir, 'validate.jsonl'), header(), { validate: true });
    await writer.write(vitals(0));
    const bad = vitals(1) as Extract<SessionRecord, { channel: 'vitals' }>;
    bad.message.seq = -1;
    expect(() => writer.write(bad)).toThrow(/record 2: message\.seq/);
    expect(await writer.close()).toMatchObject({ records: 1 });
  });
});

describe('session reader errors', () => {
  it('invalid JSON on line N names the file and line N', async () => {
    const path = await editedSession('bad-json.jsonl', (lines) => {
      lines[6] = '{"kind":"message",';
    });
    const error = await readError(path);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/line 7: invalid JSON/);
  });

  it('a schema violation on line N names line N and the field path', async () => {
    const path = await editedSession('bad-schema.jsonl', (lines) => {
      lines[9] = lines[9]!.replace('"hr":', '"hr":"fast","x":');
    });
    const error = await readError(path);
    expect(error.message).toMatch(/line 10: message\.vitals\.hr: /);
    expect(error.details?.[0]?.path).toBe('message.vitals.hr');
  });

  it('an unknown record kind and a second header are rejected with their line', async () => {
    const unknown = await editedSession('bad-kind.jsonl', (lines) => {
      lines[3] = '{"kind":"note","text":"x"}';
    });
    expect((await readError(unknown)).message).toMatch(/line 4: unknown record kind "note"/);
    const twice = await editedSession('two-headers.jsonl', (lines) => {
      lines[4] = lines[0]!;
    });
    expect((await readError(twice)).message).toMatch(/line 5: a second header/);
  });

  it('a wrong version or format is reported as such', async () => {
    const version = await editedSession('v2.jsonl', (lines) => {
      lines[0] = lines[0]!.replace('"version":1', '"version":2');
    });
    expect((await readError(version)).message).toMatch(/line 1: wrong format\/version: .*found format "vigil-session" version 2/);
    const format = await editedSession('other-format.jsonl', (lines) => {
      lines[0] = lines[0]!.replace('"vigil-session"', '"other"');
    });
    expect((await readError(format)).message).toMatch(/line 1: wrong format\/version/);
  });

  it('a missing header is reported on line 1, and an empty file too', async () => {
    const missing = await editedSession('no-header.jsonl', (lines) => {
      lines.shift();
    });
    expect((await readError(missing)).message).toMatch(/line 1: missing header: .*found a record of kind "message"/);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect((await readError(empty)).message).toMatch(/line 1: missing header: the file is empty/);
  });

  it('a truncated plain file fails on its partial last line', async () => {
    const path = join(dir, 'truncated.jsonl');
    await writeSession(path, mixedRecords());
    truncateSync(path, statSync(path).size - 30);
    const lineCount = readFileSync(path, 'utf8').split('\n').length;
    expect((await readError(path)).message).toMatch(new RegExp(`line ${lineCount}: invalid JSON`));
  });

  it('a truncated gzip file fails with a format error naming the file', async () => {
    const path = join(dir, 'truncated.jsonl.gz');
    await writeSession(path, Array.from({ length: 5000 }, (_, i) => vitals(i)));
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const error = await readError(path);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/gzip data is truncated or corrupt after line \d+/);
  });

  it('a missing file is an ordinary ENOENT, not a format error', async () => {
    await expect(readAll(join(dir, 'nope.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('large sessions', () => {
  it.each([['jsonl'], ['jsonl.gz']])('200k records (%s) stream in bounded memory', async (ext) => {
    const n = 200_000;
    const path = join(dir, `large.${ext}`);
    const writeStart = performance.now();
    const writer = createSessionWriter(path, header());
    for (let i = 0; i < n; i++) await writer.write(vitals(i));
    const { bytes } = await writer.close();
    const writeSeconds = (performance.now() - writeStart) / 1000;

    const heapBefore = process.memoryUsage().heapUsed;
    let peakGrowth = 0;
    let count = 0;
    let inOrder = true;
    const readStart = performance.now();
    for await (const item of readSession(path)) {
      if (item.kind === 'message' && item.channel === 'vitals') {
        if (item.message.seq !== count) inOrder = false;
        count++;
        if (count % 10_000 === 0) peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - heapBefore);
      }
    }
    const readSeconds = (performance.now() - readStart) / 1000;
    expect(count).toBe(n);
    expect(inOrder).toBe(true);

    // Holding 200k parsed records would take well over 100 MB of heap; streaming keeps the growth to garbage the
    // collector has not reclaimed yet.
    expect(peakGrowth).toBeLessThan(64 * 1024 * 1024);
    console.info(
      `session-io ${ext}: ${(bytes / 1e6).toFixed(1)} MB, write ${Math.round(n / writeSeconds)} records/s, ` +
        `read+validate ${Math.round(n / readSeconds)} records/s, peak heap growth ${(peakGrowth / 1e6).toFixed(1)} MB`,
    );
  }, 120_000);
});
