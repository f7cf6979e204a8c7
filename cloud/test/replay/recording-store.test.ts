/** The recording store: add validates while keeping memory bounded, lists metadata, refuses bad and oversized files. */
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { PmError } from '@vigil/contracts';
import { generateSession, wardDevices } from '@vigil/simulators';
import { createRecordingStore } from '../../src/replay/recording-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-recstore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const start = Date.UTC(2026, 0, 1);

async function sessionFile(name: string): Promise<string> {
  const out = join(dir, name);
  await generateSession({ devices: wardDevices('ward-r', 2, 1), seed: 'store', start, end: start + 60_000, artifacts: 'none', out });
  return out;
}

async function rejection(p: Promise<unknown>): Promise<PmError> {
  try {
    await p;
  } catch (err) {
    return err as PmError;
  }
  throw new Error('expected a rejection');
}

describe('RecordingStore', () => {
  it('stores a gzip and a plain session, lists them newest first, gets, resolves the path, removes', async () => {
    let clock = 1_000;
    const store = createRecordingStore({ dir: join(dir, 'store-a'), now: () => clock++ });
    const gz = await sessionFile('a.vsession.jsonl.gz');
    const a = await store.add(createReadStream(gz), 'ward A');
    expect(a).toMatchObject({ name: 'ward A', source: 'simulator', patients: 2, start, end: start + 60_000, gzip: true });
    expect(a.records).toBeGreaterThan(50);
    expect(a.bytes).toBe(readFileSync(gz).length);
    expect(readFileSync(store.filePath(a.id)).equals(readFileSync(gz))).toBe(true);

    const plain = await sessionFile('b.vsession.jsonl');
    const b = await store.add(Readable.from([readFileSync(plain)]), 'ward B');
    expect(b.gzip).toBe(false);
    expect(b.records).toBe(a.records);

    expect((await store.list()).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(await store.get(a.id)).toEqual(a);
    expect(await store.get('no-such')).toBeUndefined();
    expect(await store.remove(a.id)).toBe(true);
    expect(await store.remove(a.id)).toBe(false);
    expect((await store.list()).map((r) => r.id)).toEqual([b.id]);
    expect(readdirSync(store.dir).sort()).toEqual([`${b.id}.json`, `${b.id}.vsession`]);
  });

  it('rejects an invalid session with the upload name and line, keeping nothing', async () => {
    const store = createRecordingStore({ dir: join(dir, 'store-b') });
    const text = readFileSync(await sessionFile('c.vsession.jsonl'), 'utf8').split('\n');
    text[3] = '{"kind":"message","sentAt":"soon"}';
    const err = await rejection(store.add(Readable.from([gzipSync(text.join('\n'))]), 'broken.jsonl.gz'));
    expect(err.code).toBe('PM_ERR_SESSION_FORMAT');
    expect(err.message).toMatch(/^broken\.jsonl\.gz, line 4: /);
    expect(readdirSync(store.dir)).toEqual([]);
    const notSession = await rejection(store.add(Readable.from(['hello\n']), 'x.txt'));
    expect(notSession.message).toMatch(/x\.txt, line 1: invalid JSON/);
  });

  it('stops an upload past the size limit with PM_ERR_RECORDING_TOO_LARGE', async () => {
    const store = createRecordingStore({ dir: join(dir, 'store-c'), maxBytes: 1000 });
    const err = await rejection(store.add(createReadStream(await sessionFile('d.vsession.jsonl')), 'big'));
    expect(err.code).toBe('PM_ERR_RECORDING_TOO_LARGE');
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('refuses malformed ids in filePath and treats them as absent in get', async () => {
    const store = createRecordingStore({ dir: join(dir, 'store-d') });
    expect(() => store.filePath('../etc/passwd')).toThrow(/malformed/);
    expect(await store.get('../x')).toBeUndefined();
  });
});
