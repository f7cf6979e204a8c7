import { describe, expect, it } from 'vitest';
import { fitNormalisation } from '../../src/features/normalisation.ts';
import { trainModel, type TrainOptions } from '../../src/model/training.ts';
import { selectBackend } from '../../src/runtime/backend.ts';
import { syntheticSeries } from '../support/synthetic.ts';

const options: TrainOptions = { kind: 'forecaster', steps: 12, units: 6, seed: 'unit', epochs: 2, batchSize: 16, learningRate: 0.01, stride: 4, maxSequences: 64, patience: 2 };
const train = [syntheticSeries('a', 'a', 200), syntheticSeries('b', 'b', 200)];
const validation = [syntheticSeries('c', 'c', 120)];

async function weights(o: TrainOptions): Promise<number[]> {
  const r = await trainModel(train, validation, o);
  const w = r.model.getWeights().flatMap((t) => Array.from(t.dataSync()));
  r.model.dispose();
  return w;
}

describe('training', () => {
  it('is deterministic from its seed, and the seed matters', async () => {
    await selectBackend();
    const a = await weights(options);
    const b = await weights(options);
    const c = await weights({ ...options, seed: 'other' });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('lowers the validation loss and reports each epoch', async () => {
    const lines: string[] = [];
    const r = await trainModel(train, validation, { ...options, epochs: 4, patience: 4, progress: (l) => lines.push(l) });
    expect(r.epochs).toHaveLength(4);
    expect(Math.min(...r.epochs.slice(1).map((e) => e.valLoss))).toBeLessThan(r.epochs[0]!.valLoss);
    expect(lines.some((l) => /epoch 4\/4: loss/.test(l))).toBe(true);
    r.model.dispose();
  });

  it('refuses series too short for one sequence, saying why', async () => {
    const normalisation = fitNormalisation(train.flatMap((s) => s.windows));
    await expect(trainModel([syntheticSeries('s', 's', 8)], validation, { ...options, normalisation })).rejects.toThrow(/no training sequences/);
  });
});
