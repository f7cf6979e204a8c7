/**
 * A configuration's figures from its alarm episodes and the sessions' ground truth: alarms per patient-day by
 * priority, kind, source and code; events caught and missed and lead times with models' event metrics
 * (models/src/evaluation/event-metrics.ts: per event, never point-adjusted); the alarms an extra condition delay
 * would have suppressed; the noisiest patients.
 *
 * Patients of different sessions are told apart by the session's index, so two sessions may reuse patient ids.
 */
import { AlarmKind, AlarmPriority, LabResult, type AlarmSource, type GroundTruthEvent, type LabConfig, type LabConfigResult, type LabSessionInfo, type SessionHeader } from '@vigil/contracts';
// models' evaluation entry points are not exported by @vigil/models (it loads tfjs): imported by path, never re-implemented.
import type { AlarmEpisode, PatientSeries } from '../../../../models/src/data/series.ts';
import { DAY_MS, evaluateDetector, summarize } from '../../../../models/src/evaluation/event-metrics.ts';
import type { ConfigRun } from './config-run.ts';
import type { LabEpisode } from './lab-alarms.ts';

export interface SessionOutcome {
  index: number;
  header: SessionHeader;
  truth: GroundTruthEvent[];
  /** Per configuration (same order as the runs), the session's episodes. */
  episodes: LabEpisode[][];
  info: LabSessionInfo;
}

const NOISIEST = 5; // patients listed per configuration
const MISSED_LISTED = 100; // missed events listed per configuration (the counts cover all)
const SOURCES: readonly AlarmSource[] = ['limit-rule', 'news2', 'lstm'];

const key = (session: number, patientId: string) => `${session}/${patientId}`;
const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Keyed {
  session: number;
  sessionName: string;
  episode: LabEpisode;
}

export function summarizeLab(configs: readonly LabConfig[], runs: readonly ConfigRun[], outcomes: readonly SessionOutcome[]): LabResult {
  const series: PatientSeries[] = [];
  const spanDays = new Map<string, number>();
  const sessionOf = new Map<string, string>();
  for (const o of outcomes) {
    for (const p of o.header.patients) {
      const k = key(o.index, p.patientId);
      spanDays.set(k, (o.header.end - o.header.start) / DAY_MS);
      sessionOf.set(k, o.info.name);
      series.push({
        patientId: k,
        source: o.header.source === 'physionet-2012' ? 'physionet' : 'simulator',
        start: o.header.start,
        end: o.header.end,
        windowMs: 0,
        slideMs: 0,
        windows: [],
        truth: o.truth.filter((e) => e.patientId === p.patientId).map((e) => ({ ...e, patientId: k })),
        limitAlarms: [],
        news2Alarms: [],
        news2Scores: [],
      });
    }
  }
  const patientDays = outcomes.reduce((sum, o) => sum + o.info.patientDays, 0);
  const episodesOf = (c: number): Keyed[] => outcomes.flatMap((o) => o.episodes[c]!.map((episode) => ({ session: o.index, sessionName: o.info.name, episode })));
  const asAlarms = (list: readonly Keyed[]): AlarmEpisode[] =>
    list.map(({ session, episode: e }) => ({ patientId: key(session, e.patientId), code: e.code, priority: e.priority, start: e.raisedAt, end: e.end }));

  const reference = asAlarms(episodesOf(0));
  const results = configs.map((config, c) => configResult(config, runs[c]!, episodesOf(c), { series, spanDays, sessionOf, patientDays, reference, referenceName: configs[0]!.name, asAlarms }));
  return LabResult.parse({
    format: 'vigil-lab-result',
    version: 1,
    sessions: outcomes.map((o) => o.info),
    patients: series.length,
    patientDays: round(patientDays, 6),
    reference: configs[0]!.name,
    configs: results,
  });
}

interface Context {
  series: PatientSeries[];
  spanDays: Map<string, number>;
  sessionOf: Map<string, string>;
  patientDays: number;
  reference: AlarmEpisode[];
  referenceName: string;
  asAlarms: (list: readonly Keyed[]) => AlarmEpisode[];
}

function configResult(config: LabConfig, run: ConfigRun, list: Keyed[], ctx: Context): LabConfigResult {
  const rate = (n: number) => round(ctx.patientDays > 0 ? n / ctx.patientDays : 0);
  const countRate = (n: number) => ({ count: n, perPatientDay: rate(n) });
  const episodes = list.map((k) => k.episode);
  const count = <K extends string>(keys: readonly K[], of: (e: LabEpisode) => K) =>
    Object.fromEntries(keys.map((k) => [k, countRate(episodes.filter((e) => of(e) === k).length)])) as Record<K, { count: number; perPatientDay: number }>;
  const sourcesPresent = [...new Set([...SOURCES.filter((s) => s !== 'lstm' || config.lstm.enabled), ...episodes.map((e) => e.source)])];

  const codes = [...new Set(episodes.map((e) => e.code))];
  const byCode = codes
    .map((code) => {
      const mine = episodes.filter((e) => e.code === code);
      const durations = mine.flatMap((e) => (e.end === null ? [] : [(e.end - e.raisedAt) / 1000]));
      const median = summarize(durations).median;
      return { code, count: mine.length, perPatientDay: rate(mine.length), medianDurationS: median === null ? null : round(median, 1) };
    })
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));

  const alarms = ctx.asAlarms(list);
  const evaluation = evaluateDetector(config.name, alarms, ctx.series, { reference: { name: ctx.referenceName, alarms: ctx.reference } });
  const bySource = sourcesPresent.map((source) => {
    const r = evaluateDetector(source, ctx.asAlarms(list.filter((k) => k.episode.source === source)), ctx.series);
    return { key: source, events: r.events, caught: r.caughtEvents, recall: round(r.recall) };
  });
  const nameOf = (patientKey: string) => patientKey.slice(patientKey.indexOf('/') + 1);
  const missed = evaluation.perEvent.filter((o) => !o.caught);
  const missedEvents = missed.slice(0, MISSED_LISTED).map((o) => ({
    session: ctx.sessionOf.get(o.patientId) ?? '',
    patientId: nameOf(o.patientId),
    eventId: o.eventId,
    type: o.type,
    severity: o.severity,
    onset: o.onset,
  }));

  const lead = (s: { n: number; median: number | null; q1: number | null; q3: number | null }) => ({
    n: s.n,
    median: s.median === null ? null : round(s.median, 2),
    q1: s.q1 === null ? null : round(s.q1, 2),
    q3: s.q3 === null ? null : round(s.q3, 2),
  });
  const suppressedByDelay = config.whatIfDelaysMs.map((delayMs) => {
    const short = episodes.filter((e) => e.end !== null && e.end - e.raisedAt < delayMs);
    return { delayMs, alarms: short.length, share: round(episodes.length > 0 ? short.length / episodes.length : 0), limitRuleAlarms: short.filter((e) => e.source === 'limit-rule').length };
  });

  return {
    name: config.name,
    description: config.description ?? null,
    config,
    model: run.model ? { name: run.model.name, version: run.model.version, kind: run.model.kind, threshold: run.model.thresholdLabel } : null,
    alarms: {
      total: episodes.length,
      perPatientDay: rate(episodes.length),
      byPriority: count(AlarmPriority.options, (e) => e.priority),
      byKind: count(AlarmKind.options, (e) => e.kind),
      bySource: count(sourcesPresent, (e) => e.source),
      byCode,
    },
    events: {
      events: evaluation.events,
      caught: evaluation.caughtEvents,
      missed: missed.length,
      recall: round(evaluation.recall),
      truePositiveAlarms: evaluation.truePositiveAlarms,
      falseAlarms: evaluation.falseAlarms,
      precision: round(evaluation.precision),
      falseAlarmsPerPatientDay: rate(evaluation.falseAlarms),
      leadTimeMin: { all: lead(evaluation.leadTimeMin.all), gradual: lead(evaluation.leadTimeMin.gradual), sudden: lead(evaluation.leadTimeMin.sudden) },
      leadOverReferenceMin: evaluation.leadOverReferenceMin ? { reference: evaluation.leadOverReferenceMin.reference, ...lead(evaluation.leadOverReferenceMin) } : null,
      bySeverity: evaluation.bySeverity.map((r) => ({ ...r, recall: round(r.recall) })),
      byType: byType(evaluation.perEvent),
      bySource,
      missedEvents,
    },
    suppressedByDelay,
    noisiestPatients: noisiest(list, ctx),
  };
}

/** Recall per event type, every type present (models' byType lists the simulators' types only, not imported ones). */
function byType(perEvent: ReturnType<typeof evaluateDetector>['perEvent']): LabConfigResult['events']['byType'] {
  const types = [...new Set(perEvent.map((o) => o.type))].sort();
  return types.map((type) => {
    const mine = perEvent.filter((o) => o.type === type);
    const caught = mine.filter((o) => o.caught).length;
    return { key: type, events: mine.length, caught, recall: round(caught / mine.length) };
  });
}

function noisiest(list: readonly Keyed[], ctx: Context): LabConfigResult['noisiestPatients'] {
  const byPatient = new Map<string, { k: Keyed; count: number; codes: Map<string, number> }>();
  for (const k of list) {
    const id = key(k.session, k.episode.patientId);
    let p = byPatient.get(id);
    if (!p) byPatient.set(id, (p = { k, count: 0, codes: new Map() }));
    p.count++;
    p.codes.set(k.episode.code, (p.codes.get(k.episode.code) ?? 0) + 1);
  }
  return [...byPatient.entries()]
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
    .slice(0, NOISIEST)
    .map(([id, p]) => {
      const days = ctx.spanDays.get(id) ?? 0;
      const topCode = [...p.codes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
      return { session: p.k.sessionName, patientId: p.k.episode.patientId, bedId: p.k.episode.bedId, alarms: p.count, perDay: round(days > 0 ? p.count / days : 0), topCode };
    });
}
