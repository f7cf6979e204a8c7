/**
 * Micro-benchmark of the keyed window operator at the scale of the brief: 2,000 patients × 1 sample/s, with a
 * tumbling 60 s window, a sliding 300 s / 60 s window and a session window (60 s gap), one operator per spec.
 *   node --import tsx cloud/bench/window-operator.ts [keys=2000] [eventMinutes=30]
 * The stream is generated on the fly in event-time order, keys interleaved as a ward's uplink delivers them: 2 % of
 * samples arrive 1–8 s late (within the 10 s out-of-orderness bound, so they take the binary-insert path) and each
 * monitor pauses for 2 min every 15 min (staggered), so sessions close. compute() reads every element of its window
 * (mean heart rate, min SpO2). Prints one JSON line: adds/s per spec alone and for the three together, emissions, and
 * the heap used after a forced GC with the operators' state still live (stateMB: its growth over the run, i.e. the
 * buffered elements and window state; heapUsedMB: the whole process heap). No figure is asserted.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KeyedWindowOperator, type WindowSpec } from '../src/processing/windows/index.ts';

interface Sample {
  t: number;
  seq: number;
  hr: number;
  spo2: number;
}
interface Features {
  meanHr: number;
  minSpo2: number;
}

const keys = Number(process.argv[2] ?? 2000);
const eventMinutes = Number(process.argv[3] ?? 30);
const OUT_OF_ORDERNESS_MS = 10_000; // 10 s
const ALLOWED_LATENESS_MS = 60_000; // 60 s
const T0 = Date.UTC(2026, 0, 1);
const SPECS: Record<string, WindowSpec> = {
  tumbling: { kind: 'tumbling', sizeMs: 60_000 },
  sliding: { kind: 'sliding', sizeMs: 300_000, slideMs: 60_000 },
  session: { kind: 'session', gapMs: 60_000 },
};

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const order = (a: Sample, b: Sample) => a.t - b.t || a.seq - b.seq;
function features(_key: string, _w: unknown, els: readonly Sample[]): Features {
  let hr = 0;
  let spo2 = Infinity;
  for (const e of els) {
    hr += e.hr;
    if (e.spo2 < spo2) spo2 = e.spo2;
  }
  return { meanHr: hr / els.length, minSpo2: spo2 };
}
const make = (spec: WindowSpec) => new KeyedWindowOperator<Sample, Features>({ spec, outOfOrdernessMs: OUT_OF_ORDERNESS_MS, allowedLatenessMs: ALLOWED_LATENESS_MS, compute: features, order });

/** Deterministic stream: calls sink for every sample in arrival order. */
function generate(nKeys: number, seconds: number, sink: (key: string, s: Sample) => void): number {
  const ids = Array.from({ length: nKeys }, (_, i) => `pt-${String(i).padStart(5, '0')}`);
  const delayed: Array<Array<[string, Sample]>> = Array.from({ length: 9 }, () => []);
  let seed = 42;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  let count = 0;
  for (let sec = 0; sec < seconds; sec++) {
    for (const [key, s] of delayed[sec % 9]!) {
      sink(key, s);
      count++;
    }
    delayed[sec % 9] = [];
    for (let k = 0; k < nKeys; k++) {
      if ((sec + k * 7) % 900 < 120) continue; // the monitor is off 2 min in every 15
      const s: Sample = { t: T0 + sec * 1000 + (k % 1000), seq: sec, hr: 60 + (k % 40) + (sec % 7), spo2: 90 + ((k + sec) % 9) };
      if (rand() < 0.02) delayed[(sec + 1 + Math.floor(rand() * 8)) % 9]!.push([ids[k]!, s]);
      else {
        sink(ids[k]!, s);
        count++;
      }
    }
  }
  for (const bucket of delayed) {
    for (const [key, s] of bucket) {
      sink(key, s);
      count++;
    }
  }
  return count;
}

function run(names: string[], nKeys: number, seconds: number) {
  const ops = names.map((n) => make(SPECS[n]!));
  let emissions = 0;
  let dropped = 0;
  const start = process.hrtime.bigint();
  const samples = generate(nKeys, seconds, (key, s) => {
    for (const op of ops) {
      const r = op.add(key, s);
      emissions += r.emissions.length;
      if (r.disposition === 'dropped-late') dropped++;
    }
  });
  const seconds_ = Number(process.hrtime.bigint() - start) / 1e9;
  return { ops, samples, adds: samples * ops.length, emissions, dropped, elapsedS: seconds_ };
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** One case, measured inside a function so that nothing of it outlives the call (top-level locals would). */
function measure(names: string[]) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const r = run(names, keys, eventMinutes * 60);
  gc();
  const heapUsed = process.memoryUsage().heapUsed;
  return {
    addsPerS: Math.round(r.adds / r.elapsedS),
    samplesPerS: Math.round(r.samples / r.elapsedS),
    samples: r.samples,
    emissions: r.emissions,
    dropped: r.dropped,
    bufferedElements: r.ops.reduce((a, op) => a + op.stats().elements, 0),
    heapUsedMB: mb(heapUsed),
    stateMB: mb(heapUsed - before),
  };
}

run(['tumbling', 'sliding', 'session'], 200, 600); // warm-up (JIT)
const result: Record<string, unknown> = { bench: 'window-operator', node: process.version, keys, eventMinutes, outOfOrdernessMs: OUT_OF_ORDERNESS_MS, allowedLatenessMs: ALLOWED_LATENESS_MS, realtimeSamplesPerS: keys };
for (const name of Object.keys(SPECS)) result[name] = measure([name]);
result.all = measure(Object.keys(SPECS));
process.stdout.write(JSON.stringify(result) + '\n');
