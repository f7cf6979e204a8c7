/**
 * A built simulated dataset, cached as gzip JSON under .vigil/models-cache/ (git-ignored), so that training and
 * evaluation runs with the same options do not simulate the ward again.
 *
 * The key hashes the options (defaults filled in, `progress` and `onSample` left out) and the source of every module
 * the dataset depends on (simulators, the edge's quality and dedupe, contracts, this folder), so a code change misses
 * the cache instead of serving stale data.
 *
 * Layout: a JSON array with one PatientSeries per line. A whole ward (200 patients × 24 h is ~360 MB of JSON) would
 * come near V8's largest string, so it is written and read a line at a time; the file is still plain JSON.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import type { PatientSeries } from './series.ts';
import { buildSimulatedDataset, SIMULATED_DATASET_DEFAULTS, type SimulatedDatasetOptions } from './simulated-dataset.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEFAULT_CACHE_DIR = join(ROOT, '.vigil', 'models-cache');

/** Source folders whose code decides the dataset's content (relative to the repository root). */
const SOURCES = ['contracts/src', 'simulators/src', 'edge/src/signal-quality.ts', 'edge/src/dedupe.ts', 'edge/src/config.ts', 'models/src/data'];

async function sourceFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() || e.name.endsWith('.ts') ? sourceFiles(join(path, e.name)) : [])));
  return nested.flat();
}

let codeHash: Promise<string> | undefined;
/** Hash of the dataset's source code (once per process). */
function hashOfCode(): Promise<string> {
  codeHash ??= (async () => {
    const files = (await Promise.all(SOURCES.map((s) => sourceFiles(join(ROOT, s))))).flat().sort();
    const hash = createHash('sha256');
    for (const f of files) hash.update(f.slice(ROOT.length)).update('\0').update(await readFile(f)).update('\0');
    return hash.digest('hex');
  })();
  return codeHash;
}

/** JSON with sorted keys, so the key does not depend on how the options object was written. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** The cache key of a dataset: options with defaults, without `progress` and `onSample`, and the code hash. */
export async function datasetCacheKey(options: SimulatedDatasetOptions): Promise<string> {
  const { progress: _progress, onSample: _onSample, ...rest } = { ...SIMULATED_DATASET_DEFAULTS, ...options };
  return createHash('sha256').update(canonical(rest)).update('\0').update(await hashOfCode()).digest('hex').slice(0, 24);
}

export async function writeDatasetFile(path: string, series: readonly PatientSeries[]): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  async function* lines() {
    yield '[\n';
    for (let i = 0; i < series.length; i++) yield `${JSON.stringify(series[i])}${i < series.length - 1 ? ',' : ''}\n`;
    yield ']\n';
  }
  try {
    await pipeline(lines(), createGzip(), createWriteStream(tmp));
    await rename(tmp, path); // readers never see a half-written file
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function readDatasetFile(path: string): Promise<PatientSeries[]> {
  const out: PatientSeries[] = [];
  const take = (line: string) => {
    if (line === '[' || line === ']' || line === '') return;
    out.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line) as PatientSeries);
  };
  // pipeline, so that a missing or truncated file rejects instead of ending the read early.
  await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of source) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop()!;
      lines.forEach(take);
    }
    take(rest + decoder.end());
  });
  return out;
}

/**
 * The dataset for these options: read from the cache when built before with the same options and code, otherwise
 * built and cached. `refresh` rebuilds regardless.
 */
export async function loadOrBuildSimulatedDataset(
  options: SimulatedDatasetOptions,
  cache: { dir?: string; refresh?: boolean } = {},
): Promise<PatientSeries[]> {
  const dir = cache.dir ?? DEFAULT_CACHE_DIR;
  const path = join(dir, `${await datasetCacheKey(options)}.json.gz`);
  if (!cache.refresh) {
    try {
      return await readDatasetFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const series = await buildSimulatedDataset(options);
  await mkdir(dir, { recursive: true });
  await writeDatasetFile(path, series);
  return series;
}
