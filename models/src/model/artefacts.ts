/**
 * Saved model = one directory: `model.json` (tfjs topology + weights manifest), `weights.bin`, and `metadata.json`
 * (what the model needs besides its weights: window geometry, normalisation, scoring parameters, provenance).
 * Written with a file IOHandler of our own because the pure-JS tfjs package has no file:// handler (tfjs-node does),
 * and the serving side must load with either.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Normalisation } from '../features/normalisation.ts';
import { tf } from '../runtime/backend.ts';
import { ScoringParams } from '../scoring/scoring-params.ts';

export const ARTEFACT_FORMAT = 'vigil-anomaly-model';

export const ModelMetadata = z
  .object({
    format: z.literal(ARTEFACT_FORMAT),
    formatVersion: z.literal(1),
    name: z.string().min(1),
    /** "<semver>+<first 8 hex of the weights' SHA-256>": changes whenever the weights do. */
    version: z.string().min(1),
    kind: z.enum(['forecaster', 'autoencoder']),
    /** Training sequence length: the forecaster's longest context, the autoencoder's window. */
    steps: z.number().int().min(2),
    units: z.number().int().min(1),
    /** Forecaster: a new chain starts every chainPeriod steps; contexts run chainPeriod+1 … 2·chainPeriod steps. */
    chainPeriod: z.number().int().min(1).optional(),
    /** Autoencoder: the error is taken over the window's newest reconstructionSteps steps. */
    reconstructionSteps: z.number().int().min(1).optional(),
    windowMs: z.number().int().positive(),
    slideMs: z.number().int().positive(),
    normalisation: Normalisation,
    scoring: ScoringParams,
    training: z.record(z.string(), z.unknown()),
    evaluation: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type ModelMetadata = z.infer<typeof ModelMetadata>;

export interface LoadedModel {
  model: tf.LayersModel;
  metadata: ModelMetadata;
  dir: string;
}

export function weightsDigest(data: ArrayBuffer): string {
  return createHash('sha256').update(new Uint8Array(data)).digest('hex').slice(0, 8);
}

function concatWeights(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/** Save model + metadata; the version's suffix is set from the weights. Writes to a temp name, then renames each
 * file, metadata last, so a watcher that reloads on metadata.json never sees half a model. */
export async function saveModel(dir: string, model: tf.LayersModel, metadata: Omit<ModelMetadata, 'version'> & { version: string }): Promise<ModelMetadata> {
  await mkdir(dir, { recursive: true });
  let digest = '';
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = concatWeights(artifacts.weightData ?? new ArrayBuffer(0));
      digest = weightsDigest(weights);
      const modelJson = { format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
      await writeFile(join(dir, 'weights.bin.tmp'), new Uint8Array(weights));
      await writeFile(join(dir, 'model.json.tmp'), `${JSON.stringify(modelJson)}\n`);
      await rename(join(dir, 'weights.bin.tmp'), join(dir, 'weights.bin'));
      await rename(join(dir, 'model.json.tmp'), join(dir, 'model.json'));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const full = ModelMetadata.parse({ ...metadata, version: `${metadata.version.split('+')[0]}+${digest}` });
  await writeFile(join(dir, 'metadata.json.tmp'), `${JSON.stringify(full, null, 2)}\n`);
  await rename(join(dir, 'metadata.json.tmp'), join(dir, 'metadata.json'));
  return full;
}

export async function readMetadata(dir: string): Promise<ModelMetadata> {
  const text = await readFile(join(dir, 'metadata.json'), 'utf8');
  const parsed = ModelMetadata.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${join(dir, 'metadata.json')}: not a ${ARTEFACT_FORMAT} v1 file: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Load a saved model; the weights must match the version's digest (a torn or mixed directory is refused). */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const metadata = await readMetadata(dir);
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  const buf = await readFile(join(dir, 'weights.bin'));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const digest = weightsDigest(weightData);
  if (!metadata.version.endsWith(`+${digest}`)) {
    throw new Error(`${dir}: weights.bin (sha256 ${digest}…) does not belong to model version ${metadata.version}`);
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest.flatMap((m) => m.weights), weightData }),
  );
  return { model, metadata, dir };
}
