/**
 * PhysioNet 2012 set A split into training and test stays by a seeded hash of the RecordID, so training and
 * evaluation agree on the split without storing it. Built once per process (importing 4,000 stays takes seconds).
 */
import { join } from 'node:path';
import type { PatientSeries } from '../data/series.ts';
import { buildPhysioNetDataset } from '../physionet/physionet-dataset.ts';
import { hashSeed } from '../util/seeded-random.ts';
import { PHYSIONET_SLIDE_MS, PHYSIONET_TRAIN_SHARE, PHYSIONET_WINDOW_MS } from './experiment.ts';

export async function loadPhysioNetSplits(root: string, seed: string, set = 'set-a', outcomes = 'Outcomes-a.txt'): Promise<{ train: PatientSeries[]; test: PatientSeries[]; rejected: Array<{ file: string; reason: string }> }> {
  const data = await buildPhysioNetDataset({ dir: join(root, set), outcomesFile: join(root, outcomes), windowMs: PHYSIONET_WINDOW_MS, slideMs: PHYSIONET_SLIDE_MS, progress: true });
  const isTrain = (s: PatientSeries) => hashSeed(`${seed}:physionet:${s.patientId}`) / 2 ** 32 < PHYSIONET_TRAIN_SHARE;
  return { train: data.series.filter(isTrain), test: data.series.filter((s) => !isTrain(s)), rejected: data.rejected.map((r) => ({ file: r.file, reason: r.reason })) };
}
