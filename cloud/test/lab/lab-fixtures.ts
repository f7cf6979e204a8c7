/** Small sessions for the lab's tests: one written by hand (countable alarms), one from the simulators. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GroundTruthEvent, SessionHeader } from '@vigil/contracts';
import { createSessionWriter } from '@vigil/contracts/session-io';
import { generateSession, wardDevices } from '@vigil/simulators';

export const T0 = Date.UTC(2026, 0, 1);
export const S = 1000;

export function tempDir(prefix = 'vigil-lab-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** HR above 130 /min during these [from, to) seconds; elsewhere 110/111 (alternating: never a flat line). */
export const EXCURSIONS: ReadonlyArray<[from: number, to: number]> = [
  [100, 140], // 40 s: raised by a 10 s and by a 30 s delay
  [300, 320], // 20 s: raised by a 10 s delay only
  [450, 455], // 5 s: never raised
];

/**
 * One patient, one monitor, HR at 1 Hz for 600 s. 110 → 135 is a step of 25 /min: within the edge's spike limit
 * (max(25, 40 % of the level)), so every value is judged good and the counts follow from the delays alone.
 * Ground truth: a tachyarrhythmia during each of the first two excursions.
 */
export async function writeHandSession(path: string): Promise<void> {
  const device = { deviceId: 'mon-1', deviceType: 'icu-monitor' as const, patientId: 'pt-1', bedId: 'bed-1', wardId: 'ward-lab' };
  const header: SessionHeader = {
    kind: 'header',
    format: 'vigil-session',
    version: 1,
    source: 'simulator',
    start: T0,
    end: T0 + 600 * S,
    patients: [{ patientId: 'pt-1', wardId: 'ward-lab', bedId: 'bed-1' }],
    devices: [device],
  };
  const truth = (id: string, [from, to]: [number, number]): GroundTruthEvent => ({
    id,
    category: 'clinical',
    type: 'tachyarrhythmia',
    patientId: 'pt-1',
    bedId: 'bed-1',
    onset: T0 + from * S,
    offset: T0 + to * S,
    severity: 'moderate',
    affected: ['hr'],
  });
  const writer = createSessionWriter(path, header, { validate: true });
  await writer.write({ kind: 'message', sentAt: T0, channel: 'status', message: { v: 1, deviceId: 'mon-1', bootId: 'boot-1', t: T0, state: 'online', reason: 'startup' } });
  const events = [truth('gt-0001', EXCURSIONS[0]!), truth('gt-0002', EXCURSIONS[1]!)];
  for (let s = 0; s < 600; s++) {
    const t = T0 + s * S;
    while (events.length > 0 && events[0]!.onset <= t) await writer.write({ kind: 'truth', event: events.shift()! });
    const high = EXCURSIONS.some(([from, to]) => s >= from && s < to);
    const hr = high ? 135 : 110 + (s % 2);
    await writer.write({ kind: 'message', sentAt: t, channel: 'vitals', message: { v: 1, deviceId: 'mon-1', bootId: 'boot-1', seq: s, t, vitals: { hr } } });
  }
  await writer.close();
}

/** A small simulated ward with scenarios and artifacts (seeded: the same file every time). */
export async function writeSimulatedSession(path: string, options: { patients?: number; hours?: number; seed?: string } = {}): Promise<void> {
  const patients = options.patients ?? 4;
  const hours = options.hours ?? 2;
  await generateSession({
    out: path,
    devices: wardDevices('ward-sim', patients, 1),
    seed: options.seed ?? 'lab-test',
    start: T0,
    end: T0 + hours * 3_600_000,
    scenarioMix: 'sepsis:0.25,hypoxaemia:0.25,tachyarrhythmia:0.25',
    artifacts: 'default',
  });
}
