/** scripts/plot-session.ts as a user runs it: a child process on a small synthetic session. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionHeader } from '@vigil/contracts';
import { createSessionWriter } from '@vigil/contracts/session-io';

const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'vigil-plot-session-'));
const session = join(dir, 'two-patients.vsession.jsonl.gz');
const T0 = Date.UTC(2025, 9, 9, 8, 0, 0);
const HOUR = 3_600_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function plot(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/plot-session.ts', ...args], {
      cwd: root,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Width and height from the IHDR chunk, which a valid PNG has first, right after the 8-byte signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

beforeAll(async () => {
  const header: SessionHeader = {
    kind: 'header', format: 'vigil-session', version: 1, source: 'simulator', start: T0, end: T0 + 2 * HOUR,
    patients: [
      { patientId: 'p-0001', wardId: 'ward-a', bedId: 'bed-01' },
      { patientId: 'p-0002', wardId: 'ward-a', bedId: 'bed-02' },
    ],
    devices: [
      { deviceId: 'icu-mon-01', deviceType: 'icu-monitor', patientId: 'p-0001', bedId: 'bed-01', wardId: 'ward-a' },
      { deviceId: 'wear-02', deviceType: 'wearable', patientId: 'p-0002', bedId: 'bed-02', wardId: 'ward-a' },
    ],
  };
  const writer = createSessionWriter(session, header);
  const feverOnset = T0 + 0.75 * HOUR;
  for (let s = 0; s < 2 * 3600; s++) {
    const t = T0 + s * 1000;
    if (t === feverOnset) {
      await writer.write({
        kind: 'truth',
        event: {
          id: 'gt-0001', category: 'clinical', type: 'fever', patientId: 'p-0001', bedId: 'bed-01',
          onset: feverOnset, offset: T0 + 1.5 * HOUR, severity: 'moderate', affected: ['temp', 'hr'],
        },
      });
    }
    const fever = t >= feverOnset && t < T0 + 1.5 * HOUR ? 1 : 0;
    const wobble = Math.sin(s / 30);
    await writer.write({
      kind: 'message', sentAt: t + 15, channel: 'vitals',
      message: { v: 1, deviceId: 'icu-mon-01', bootId: 'b-1', seq: s, t,
        vitals: { hr: 75 + 20 * fever + 3 * wobble, spo2: 97 + wobble, rr: 15 + 4 * fever, abpSys: 122 + 4 * wobble, temp: 36.9 + 1.6 * fever } },
    });
    await writer.write({
      kind: 'message', sentAt: t + 40, channel: 'vitals',
      message: { v: 1, deviceId: 'wear-02', bootId: 'w-1', seq: s, t, vitals: { hr: 68 + 2 * wobble, spo2: 96 } },
    });
  }
  await writer.close();
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plot-session CLI', () => {
  it('plots a patient to a PNG of the requested width with readable size', async () => {
    const out = join(dir, 'p-0001.png');
    const run = await plot('--session', session, '--patient', 'p-0001', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/wrote .*p-0001\.png: 1400×\d+ px/);
    const png = readFileSync(out);
    const { width, height } = pngSize(png);
    expect(width).toBe(1400);
    // Title, the ground-truth lane and five vital panels of 150 px.
    expect(height).toBeGreaterThan(800);
    expect(height).toBeLessThan(2000);
    expect(png.byteLength).toBeGreaterThan(30_000);
  });

  it('plots a window of selected vitals at a chosen resolution and width', async () => {
    const out = join(dir, 'p-0002.png');
    const run = await plot('--session', session, '--patient', 'p-0002', '--vitals', 'hr,spo2', '--from', '2025-10-09T08:30',
      '--to', String(T0 + HOUR), '--resolution', '30s', '--width', '900', '--out', out);
    expect(run.code).toBe(0);
    const { width, height } = pngSize(readFileSync(out));
    expect(width).toBe(900);
    expect(height).toBeGreaterThan(300);
  });

  it('an unknown patient exits non-zero naming the patient and the ones in the file', async () => {
    const run = await plot('--session', session, '--patient', 'p-9999', '--out', join(dir, 'none.png'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/patient "p-9999" is not in .*two-patients\.vsession\.jsonl\.gz \(patients: p-0001, p-0002\)/);
  });

  it('a patient without data for the requested vitals exits non-zero', async () => {
    const run = await plot('--session', session, '--patient', 'p-0002', '--vitals', 'abpSys,temp', '--out', join(dir, 'none.png'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no abpSys\/temp samples for patient p-0002/);
  });

  it('--help prints usage; a missing option is a usage error', async () => {
    const help = await plot('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: node --import tsx scripts/plot-session.ts');
    const missing = await plot('--session', session, '--patient', 'p-0001');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--out is required');
  });
});
