import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPhysioNetDataset, PHYSIONET_BASE_MS, physionetSetPaths } from '../../src/physionet/index.ts';

const H = 3_600_000;
const B = PHYSIONET_BASE_MS;

const STAY_1 = `Time,Parameter,Value
00:00,RecordID,1
00:00,Age,70
00:00,Gender,1
00:00,Height,-1
00:00,ICUType,3
00:00,Weight,80
00:07,GCS,15
00:07,HR,73
00:07,NIMAP,92
00:07,Temp,-17.8
00:37,HR,77
01:00,MAP,60
01:00,SaO2,95
01:37,HR,60
01:37,Temp,37.0
01:37,Temp,37.4
02:00,HR,0
02:10,MAP,62
03:00,MAP,70
10:30,HR,90
`;
const STAY_2_LABS_ONLY = 'Time,Parameter,Value\n00:00,RecordID,2\n01:00,Lactate,1.2\n';
const STAY_3_BAD = 'Time,Parameter,Value\n00:00,RecordID,3\n01:00,HR,fast\n';
const OUTCOMES = 'RecordID,SAPS-I,SOFA,Length_of_stay,Survival,In-hospital_death\n1,20,8,4,3,1\n2,10,2,5,-1,0\n3,10,2,5,-1,0\n';

describe('buildPhysioNetDataset on a crafted set', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vigil-physionet-set-'));
    const { dir } = physionetSetPaths(root);
    await mkdir(dir);
    await writeFile(join(dir, '1.txt'), STAY_1);
    await writeFile(join(dir, '2.txt'), STAY_2_LABS_ONLY);
    await writeFile(join(dir, '3.txt'), STAY_3_BAD);
    await writeFile(physionetSetPaths(root).outcomesFile, OUTCOMES);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds hourly windows at the real sample times, derived truth, baselines and the outcome', async () => {
    const reported: string[] = [];
    const { series, rejected, stats } = await buildPhysioNetDataset({ ...physionetSetPaths(root), onError: (r) => reported.push(r.file) });
    expect(rejected).toEqual([{ file: '3.txt', reason: '3.txt:3: value "fast" is not a number' }]);
    expect(reported).toEqual(['3.txt']);
    expect(series).toHaveLength(1);
    const s = series[0]!;
    expect(s).toMatchObject({ patientId: 'physionet-1', source: 'physionet', windowMs: H, slideMs: H, start: B, end: B + 11 * H, outcome: { inHospitalDeath: true } });

    // Windows with no sample at all (hours 4-10) are omitted, not filled.
    expect(s.windows.map((w) => (w.end - B) / H)).toEqual([1, 2, 3, 4, 11]);
    const [w0, w1, w2, w3] = s.windows;
    expect(w0!.vitals.hr).toMatchObject({ n: 2, level: 75, missingness: 0 });
    expect(w0!.vitals.hr.slopePerMin).toBeCloseTo(4 / 30, 10); // 00:07 → 00:37: the real times, not slots
    expect(w0!.vitals.map).toMatchObject({ level: 92 }); // cuff MAP when no line reading
    expect(w0!.vitals.temp).toMatchObject({ n: 0, level: null, missingness: 1 }); // −17.8 °C dropped
    expect(w0!.vitals.spo2).toMatchObject({ n: 0, level: null, missingness: 1 }); // SaO2 is not SpO2
    expect(w1!.vitals.temp).toMatchObject({ n: 2, level: 37.2 }); // a duplicate row is a second value
    expect(w2!.vitals.hr).toMatchObject({ n: 1, nGood: 0, level: null, goodShare: 0, missingness: 1 }); // HR 0: artifact
    expect(w3!.vitals.map).toMatchObject({ level: 70 });

    expect(s.truth.map((e) => [e.type, e.onset, e.offset])).toEqual([['sepsis', B + H, B + 3 * H]]);
    expect(s.news2Scores.map((x) => [(x.t - B) / H, x.complete])).toEqual([[1, false], [2, false], [3, false], [4, false], [11, false]]);
    expect(s.limitAlarms).toEqual([]);

    expect(stats).toMatchObject({
      files: 3, stays: 2, series: 1, staysWithoutVitals: ['2'], observations: 15, vitalValues: 11,
      dropped: { implausible: { temp: 1 } }, artifact: { zero: { hr: 1 } }, aside: { SaO2: 1, GCS: 1, dropped: 0 },
      unmapped: 1, duplicateValues: 1, windows: 5, derivedEvents: { hypotension: 1, tachycardia: 0, hypoxaemia: 0 },
      staysWithDerivedEvent: 1, outcomeFileDeaths: 1, deaths: 1, outcomesMissing: 0,
    });
    expect(stats.staysWith).toEqual({ GCS: 1, hr: 1, nibpMean: 1, abpMean: 1, SaO2: 1, temp: 1 });
  });

  it('slides windows when slideMs < windowMs, and honours limit', async () => {
    const { series, stats } = await buildPhysioNetDataset({ dir: physionetSetPaths(root).dir, windowMs: 2 * H, slideMs: H, limit: 1 });
    expect(stats.files).toBe(1);
    const s = series[0]!;
    expect(s.windows.map((w) => [(w.start - B) / H, (w.end - B) / H])).toEqual([[-1, 1], [0, 2], [1, 3], [2, 4], [3, 5], [9, 11], [10, 12]]);
    expect(s.outcome).toBeUndefined();
  });

  it('can chart consciousness from GCS for the NEWS2 baseline (opt-in)', async () => {
    const { series } = await buildPhysioNetDataset({ dir: physionetSetPaths(root).dir, consciousnessFromGcs: true, limit: 1 });
    expect(series[0]!.news2Scores).toHaveLength(5);
  });

  it('rejects options that cannot make windows', async () => {
    await expect(buildPhysioNetDataset({ dir: root, windowMs: 0 })).rejects.toThrow('windowMs must be a positive integer');
    await expect(buildPhysioNetDataset({ dir: root, base: 1000 })).rejects.toThrow('base must be integer epoch ms >= windowMs');
  });
});

const ROOT = '/work/shared/data/physionet-2012';
const HAVE_SET_A = existsSync(join(ROOT, 'set-a'));
if (!HAVE_SET_A) console.warn(`physionet-dataset.test: ${ROOT}/set-a is absent; the full set-A import test is skipped`);

describe('PhysioNet 2012 set A (shared data)', () => {
  it('imports every stay of set A with no rejection, in well under a minute', async (ctx) => {
    if (!HAVE_SET_A) ctx.skip(`${ROOT}/set-a is absent`);
    const started = performance.now();
    const { series, rejected, stats } = await buildPhysioNetDataset(physionetSetPaths(ROOT));
    const seconds = (performance.now() - started) / 1000;
    console.info(`set A: ${stats.stays} stays, ${series.length} series, ${rejected.length} rejected, ${stats.windows} windows, ${seconds.toFixed(1)} s`);
    expect(rejected).toEqual([]);
    expect(stats.files).toBe(4000);
    expect(stats.stays).toBe(4000);
    expect(series.length + stats.staysWithoutVitals.length).toBe(4000);
    expect(stats.outcomeFileDeaths).toBe(554); // README: 554 deaths, 13.9 %
    expect(stats.outcomesMissing).toBe(0);
    expect(stats.staysWithFeature.spo2).toBe(0); // no SpO2 in the data, and SaO2 never becomes one
    expect(stats.staysWith.spo2).toBeUndefined();
    expect(seconds).toBeLessThan(60);
  }, 120_000);
});
