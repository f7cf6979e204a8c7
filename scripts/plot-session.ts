/**
 * Plot one patient's vitals from a session file, one panel per vital on a shared time axis, with the patient's
 * ground-truth episodes shaded. Streams the file; values are averaged per time bucket so 24 h at 1 Hz stays light.
 *   node --import tsx scripts/plot-session.ts --session ward.vsession.jsonl.gz --patient p-0001 --out p-0001.png
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { TopLevelSpec } from 'vega-lite';
import { PmError, VITAL_CODES, VITALS, VitalCode, isPmError, type GroundTruthEvent } from '@vigil/contracts';
import { readSession } from '@vigil/contracts/session-io';
import { renderVegaLite } from './lib/plot.ts';

const USAGE = `Plot one patient's vitals from a Vigil session file, with ground-truth episodes shaded.

Usage: node --import tsx scripts/plot-session.ts --session <file> --patient <patientId> --out <png> [options]

  --session <file>     session file (.vsession.jsonl, or gzip: detected from its content)
  --patient <id>       patient to plot (devices are mapped to patients by the session header)
  --out <png>          PNG to write
  --vitals <codes>     comma-separated vital codes; those without data are left out
                       (default hr,spo2,rr,abpSys,temp; all: ${VITAL_CODES.join(',')})
  --from <time>        window start: ISO 8601 (UTC unless it has an offset) or epoch ms (default: session start)
  --to <time>          window end (default: session end)
  --resolution <dur>   mean per bucket of this length: 500ms, 10s, 60s, 5m, 1h (default: auto, at most 1500 points)
  --width <px>         PNG width (default 1400)
  --help               show this text
`;

const DEFAULT_VITALS: VitalCode[] = ['hr', 'spo2', 'rr', 'abpSys', 'temp'];
const AUTO_STEPS_MS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600].map((s) => s * 1000);
const MAX_POINTS = 1500; // per series with --resolution auto: about one point per pixel at 1400 px
const MAX_BUCKETS = 200_000; // a finer explicit resolution is refused: the chart could not show it
// Messages arrive in sentAt order, but store-and-forward can send a sample long after its event time; with --to,
// reading stops only once sentAt is this far past the window.
const LATE_DELIVERY_GRACE_MS = 6 * 3600_000;
const COLOURS = { clinical: '#d62728', artifact: '#7b4fb0', devices: ['#1f4e79', '#2ca02c', '#ff7f0e', '#17becf'] };

class UsageError extends Error {}

interface Options {
  session: string;
  patient: string;
  out: string;
  vitals: VitalCode[];
  explicitVitals: boolean;
  from?: number;
  to?: number;
  resolutionMs?: number;
  width: number;
}

function parseTime(text: string, name: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  // A date-time without an offset is read as UTC, not as the machine's local time.
  const iso = /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} ${JSON.stringify(text)}: expected ISO 8601 or epoch milliseconds`);
  return ms;
}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|min|h)?$/.exec(text);
  const factor = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }[match?.[2] ?? 's'];
  const ms = match && factor ? Number(match[1]) * factor : NaN;
  if (!(ms >= 1)) throw new UsageError(`--resolution ${JSON.stringify(text)}: expected a duration such as 500ms, 10s, 5m or 1h`);
  return ms;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      session: { type: 'string' }, patient: { type: 'string' }, out: { type: 'string' }, vitals: { type: 'string' },
      from: { type: 'string' }, to: { type: 'string' }, resolution: { type: 'string' }, width: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  for (const name of ['session', 'patient', 'out'] as const) if (!values[name]) throw new UsageError(`--${name} is required`);
  const vitals = (values.vitals?.split(',') ?? DEFAULT_VITALS).map((code) => code.trim());
  const unknown = vitals.filter((code) => !VitalCode.safeParse(code).success);
  if (unknown.length > 0) throw new UsageError(`unknown vital ${unknown.join(', ')}; known: ${VITAL_CODES.join(', ')}`);
  const width = Number(values.width ?? 1400);
  if (!Number.isInteger(width) || width < 400 || width > 8000) throw new UsageError('--width: expected 400..8000 pixels');
  return {
    session: values.session!, patient: values.patient!, out: values.out!,
    vitals: vitals as VitalCode[], explicitVitals: values.vitals !== undefined, width,
    ...(values.from ? { from: parseTime(values.from, 'from') } : {}),
    ...(values.to ? { to: parseTime(values.to, 'to') } : {}),
    ...(values.resolution && values.resolution !== 'auto' ? { resolutionMs: parseDuration(values.resolution) } : {}),
  };
}

/** Running sums per bucket for one vital from one device. */
interface Series { vital: VitalCode; deviceId: string; sum: Float64Array; count: Uint32Array; samples: number; first: number; last: number }

interface Collected {
  from: number;
  to: number;
  resolutionMs: number;
  bedId: string;
  series: Series[];
  events: GroundTruthEvent[];
  samples: number;
}

async function collect(options: Options): Promise<Collected> {
  const records = readSession(options.session);
  const first = await records.next();
  if (first.done || first.value.kind !== 'header') throw new Error('unreachable: readSession yields the header first');
  const { header } = first.value;
  const patient = header.patients.find((p) => p.patientId === options.patient);
  if (!patient) {
    const known = header.patients.map((p) => p.patientId);
    throw new PmError('PM_ERR_NOT_FOUND', `patient ${JSON.stringify(options.patient)} is not in ${options.session} ` +
      `(patients: ${known.slice(0, 12).join(', ')}${known.length > 12 ? `, … ${known.length} in all` : ''})`);
  }
  const devices = new Set(header.devices.filter((d) => d.patientId === options.patient).map((d) => d.deviceId));
  if (devices.size === 0) throw new PmError('PM_ERR_NOT_FOUND', `patient ${options.patient} has no devices in the session header`);

  const from = options.from ?? header.start;
  const to = options.to ?? header.end;
  if (!(to > from)) throw new UsageError(`empty time window: ${new Date(from).toISOString()} .. ${new Date(to).toISOString()}`);
  const resolutionMs = options.resolutionMs ?? AUTO_STEPS_MS.find((step) => (to - from) / step <= MAX_POINTS) ?? 86_400_000;
  const buckets = Math.ceil((to - from) / resolutionMs);
  if (buckets > MAX_BUCKETS) throw new UsageError(`--resolution too fine: ${buckets} points; use at least ${Math.ceil((to - from) / MAX_BUCKETS / 1000)}s`);

  const byKey = new Map<string, Series>();
  const wanted = new Set(options.vitals);
  const events: GroundTruthEvent[] = [];
  let samples = 0;
  for await (const item of records) {
    if (item.kind === 'truth') {
      const e = item.event;
      if (options.to !== undefined && e.onset > to + LATE_DELIVERY_GRACE_MS) break; // merged in time order with the messages
      if (e.patientId === options.patient && e.onset < to && (e.offset ?? Infinity) > from) events.push(e);
      continue;
    }
    if (item.kind !== 'message') continue;
    if (options.to !== undefined && item.sentAt > to + LATE_DELIVERY_GRACE_MS) break;
    if (item.channel !== 'vitals' || !devices.has(item.message.deviceId)) continue;
    const { t, deviceId } = item.message;
    if (t < from || t > to) continue;
    const index = Math.min(buckets - 1, Math.floor((t - from) / resolutionMs));
    for (const [code, value] of Object.entries(item.message.vitals) as Array<[VitalCode, number]>) {
      if (!wanted.has(code)) continue;
      const key = `${code} ${deviceId}`;
      let s = byKey.get(key);
      if (!s) {
        s = { vital: code, deviceId, sum: new Float64Array(buckets), count: new Uint32Array(buckets), samples: 0, first: t, last: t };
        byKey.set(key, s);
      }
      s.sum[index]! += value;
      s.count[index]! += 1;
      s.samples++;
      s.first = Math.min(s.first, t);
      s.last = Math.max(s.last, t);
      samples++;
    }
  }
  await records.return(undefined); // closes the file after an early break
  if (byKey.size === 0) {
    throw new PmError('PM_ERR_NOT_FOUND', `no ${options.vitals.join('/')} samples for patient ${options.patient} ` +
      `between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
  }
  return { from, to, resolutionMs, bedId: patient.bedId, series: [...byKey.values()], events, samples };
}

/** Bucket means as chart rows; a gap much longer than the series' own sampling interval breaks the line (null). */
function seriesRows(s: Series, from: number, resolutionMs: number): Array<{ t: number; v: number | null; device: string }> {
  const interval = s.samples > 1 ? (s.last - s.first) / (s.samples - 1) : resolutionMs;
  const maxGapBuckets = Math.max(2, Math.ceil((5 * interval) / resolutionMs));
  const rows: Array<{ t: number; v: number | null; device: string }> = [];
  let previous = -1;
  for (let i = 0; i < s.count.length; i++) {
    const n = s.count[i]!;
    if (n === 0) continue;
    if (previous >= 0 && i - previous > maxGapBuckets) rows.push({ t: from + (previous + 1) * resolutionMs, v: null, device: s.deviceId });
    rows.push({ t: from + (i + 0.5) * resolutionMs, v: s.sum[i]! / n, device: s.deviceId });
    previous = i;
  }
  return rows;
}

const utcMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
function humanDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

function buildSpec(options: Options, data: Collected, plotWidth: number): TopLevelSpec {
  const { from, to } = data;
  const span = to - from;
  // A signal, not [from, to]: vega-lite turns a literal temporal domain into datetime() and then reports a conflict
  // with the x2 of the episode rectangles.
  const timeScale = { type: 'utc' as const, domain: { signal: `[${from}, ${to}]` } };
  const hiddenAxis = { labels: false, ticks: false, domain: false, title: null };
  const group = (e: GroundTruthEvent) => (e.category === 'clinical' ? 'clinical' : 'artifact / technical');
  const fill = { field: 'group', type: 'nominal' as const, scale: { domain: ['clinical', 'artifact / technical'], range: [COLOURS.clinical, COLOURS.artifact] } };

  // Lanes so that labels never overlap: an event goes in the first lane free by the end of its bar or its label.
  const msPerPx = span / plotWidth;
  const laneEnds: number[] = [];
  const episodes = [...data.events]
    .sort((a, b) => a.onset - b.onset)
    .map((e) => {
      const start = Math.max(e.onset, from);
      const end = Math.max(Math.min(e.offset ?? to, to), start + 2 * msPerPx); // instantaneous events stay visible
      const labelEnd = start + (e.type.length * 7 + 12) * msPerPx;
      let lane = laneEnds.findIndex((laneEnd) => laneEnd <= start);
      if (lane < 0) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = Math.max(end, labelEnd);
      return { start, end, lane, group: group(e), label: e.type, affected: e.affected };
    });

  const devices = [...new Set(data.series.map((s) => s.deviceId))].sort();
  const panels: object[] = [];
  if (episodes.length > 0) {
    panels.push({
      title: { text: 'Ground truth', anchor: 'start', fontSize: 13 },
      height: Math.max(1, laneEnds.length) * 22,
      data: { values: episodes },
      encoding: { x: { field: 'start', type: 'temporal', scale: timeScale, axis: hiddenAxis }, y: { field: 'lane', type: 'ordinal', axis: null } },
      layer: [
        {
          mark: { type: 'rect', opacity: 0.35, cornerRadius: 2 },
          encoding: { x2: { field: 'end' }, fill: { ...fill, legend: { title: null, orient: 'top', direction: 'horizontal', labelFontSize: 12, labelLimit: 400 } } },
        },
        { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 12, color: '#222' }, encoding: { text: { field: 'label' } } },
      ],
    });
  }
  const vitals = options.vitals.filter((code) => data.series.some((s) => s.vital === code));
  vitals.forEach((code, i) => {
    const def = VITALS[code];
    const rows = data.series.filter((s) => s.vital === code).flatMap((s) => seriesRows(s, from, data.resolutionMs));
    const axis = i === vitals.length - 1 ? { title: 'Time (UTC)', format: span > 2 * 86_400_000 ? '%d %b %H:%M' : '%H:%M', labelFlush: true } : hiddenAxis;
    panels.push({
      title: { text: `${def.label} (${def.displayUnit})`, anchor: 'start', fontSize: 13 },
      height: 150,
      layer: [
        // Adult normal range from the vitals catalogue, as a faint band for orientation.
        { data: { values: [def.normal] }, mark: { type: 'rect', color: '#2ca02c', opacity: 0.07 }, encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } } },
        ...(episodes.length > 0
          ? [{
              data: { values: episodes.map((e) => ({ ...e, weight: e.affected.includes(code) ? 0.16 : 0.06 })) },
              mark: { type: 'rect' },
              encoding: { x: { field: 'start', type: 'temporal', scale: timeScale, axis }, x2: { field: 'end' }, fill: { ...fill, legend: null }, opacity: { field: 'weight', type: 'quantitative', scale: null } },
            }]
          : []),
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 1.4, point: rows.length < 60 },
          encoding: {
            x: { field: 't', type: 'temporal', scale: timeScale, axis },
            y: { field: 'v', type: 'quantitative', scale: { zero: false }, axis: { title: null, tickCount: 5 } },
            stroke: { field: 'device', type: 'nominal', scale: { domain: devices, range: COLOURS.devices },
              legend: devices.length > 1 && i === 0 ? { title: null, orient: 'top', labelFontSize: 12, symbolStrokeWidth: 3 } : null },
          },
        },
      ],
    });
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Patient ${options.patient} · ${data.bedId}`,
      subtitle: `${utcMinute(from)} → ${utcMinute(to)} UTC (${humanDuration(span)}) · means per ${humanDuration(data.resolutionMs)} · ` +
        `${episodes.length} ground-truth event${episodes.length === 1 ? '' : 's'} · ${basename(options.session)}`,
      anchor: 'start', fontSize: 18, subtitleFontSize: 13, subtitleColor: '#555', offset: 12,
    },
    background: 'white',
    padding: 16,
    spacing: 10,
    config: {
      view: { stroke: '#ccc' },
      axis: { labelFontSize: 12, titleFontSize: 13, gridColor: '#eee' },
      concat: { spacing: 10 },
    },
    // One shared time scale; each panel keeps its own legends (the truth legend is drawn once, at the top).
    resolve: { legend: { fill: 'independent', stroke: 'independent' } },
    vconcat: panels.map((p) => ({ width: plotWidth, ...p })),
  } as TopLevelSpec;
}

async function main(argv: string[]): Promise<number> {
  let options: Options | undefined;
  try {
    options = parseOptions(argv);
    if (!options) {
      process.stdout.write(USAGE);
      return 0;
    }
    const data = await collect(options);
    const missing = options.vitals.filter((code) => !data.series.some((s) => s.vital === code));
    if (missing.length > 0 && options.explicitVitals) process.stderr.write(`plot-session: no data for ${missing.join(', ')}; left out\n`);
    // The plot area leaves room for the y-axis labels and padding; resvg then scales to exactly options.width.
    const result = await renderVegaLite(buildSpec(options, data, options.width - 110), options.out, { width: options.width });
    for (const warning of result.warnings) process.stderr.write(`plot-session: chart warning: ${warning}\n`);
    process.stdout.write(
      `wrote ${options.out}: ${result.width}×${result.height} px, ${Math.round(result.bytes / 1024)} KiB; ` +
        `${data.samples} values from ${new Set(data.series.map((s) => s.deviceId)).size} device(s), ${data.events.length} event(s)\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`plot-session: ${(err as Error).message}\nRun with --help for usage.\n`);
      return 2;
    }
    process.stderr.write(`plot-session: ${isPmError(err) ? `${err.message} [${err.code}]` : (err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
