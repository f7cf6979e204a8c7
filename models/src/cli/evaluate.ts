/**
 * The evaluation report: the served model and its alternative beside limit alarms, NEWS2 and a random detector on a
 * held-out simulated ward, and the PhysioNet model on the held-out stays of set A (or any set in that format).
 *
 *   node --import tsx models/src/cli/evaluate.ts [--seed vigil-1] [--artefacts models/artefacts]
 *     [--out docs/models/evaluation] [--physionet ../shared/data/physionet-2012 --set set-a --outcomes Outcomes-a.txt]
 *
 * Nothing here is tuned on the test data: alert rules come from the artefacts (calibrated on validation); the
 * operating curve over the test ward is shown for reading, and its equal-recall point is labelled as such.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrBuildSimulatedDataset } from '../data/dataset-cache.ts';
import type { AlarmEpisode, PatientSeries } from '../data/series.ts';
import { evaluateDetector, fewestAlarmsAtRecall, patientDays, severeRecall, type DetectorResult, type OperatingPoint } from '../evaluation/event-metrics.ts';
import { randomDetectorLike } from '../evaluation/random-detector.ts';
import { leadBeforeEvents, rankingSummary, rocCurve } from '../evaluation/ranking-metrics.ts';
import type { EvaluationReport, LeadBeforeEventsEntry, RankingEntry, Target } from '../evaluation/report-types.ts';
import { writeReport } from '../evaluation/report-writer.ts';
import { stepIndex } from '../features/model-input.ts';
import { loadModel, type ModelMetadata } from '../model/artefacts.ts';
import { alertsFor, sweepSettings } from '../model/calibration.ts';
import { selectBackend } from '../runtime/backend.ts';
import type { Rethreshold } from '../scoring/alert-episodes.ts';
import type { StepVerdict } from '../scoring/error-track.ts';
import { ModelScorer } from '../scoring/model-scorer.ts';
import { simulatedSplits } from './experiment.ts';
import { loadPhysioNetSplits } from './physionet-splits.ts';
import { writeModelCard } from './model-card.ts';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: 'vigil-1' },
    artefacts: { type: 'string', default: 'models/artefacts' },
    out: { type: 'string', default: 'docs/models/evaluation' },
    physionet: { type: 'string', default: '../shared/data/physionet-2012' },
    set: { type: 'string', default: 'set-a' },
    outcomes: { type: 'string', default: 'Outcomes-a.txt' },
    scale: { type: 'string', default: '1' },
  },
});
const log = (line: string) => process.stderr.write(`${line}\n`);
const artefacts = resolve(args.artefacts);

export function settingOf(meta: ModelMetadata): Rethreshold {
  const t = meta.scoring.threshold;
  return t.mode === 'fixed' ? { mode: 'fixed', value: t.value, holdSteps: meta.scoring.holdSteps } : { mode: 'dynamic', value: t.floor, holdSteps: meta.scoring.holdSteps };
}

async function score(dir: string, series: readonly PatientSeries[]): Promise<{ meta: ModelMetadata; verdicts: Map<string, StepVerdict[]>; backend: string; seconds: number }> {
  const scorer = await ModelScorer.create(await loadModel(dir));
  const t0 = performance.now();
  let shown = 0;
  const verdicts = scorer.scoreSeries(series, (done, total) => {
    if (performance.now() - shown > 5000) {
      shown = performance.now();
      log(`  scoring ${scorer.name}: step ${done}/${total}`);
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  const out = { meta: scorer.metadata, verdicts, backend: scorer.backend, seconds };
  scorer.dispose();
  return out;
}

const point = (r: DetectorResult, threshold: number): OperatingPoint => ({ threshold, recall: r.recall, precision: r.precision, f1: r.f1, alarmsPerPatientDay: r.alarmsPerPatientDay, falseAlarmsPerPatientDay: r.falseAlarmsPerPatientDay, alarms: r.alarms, caughtEvents: r.caughtEvents, events: r.events });

/** Per-stay maximum of the model's smoothed score over emitted windows (the stay's "highest score"). */
function maxScores(series: readonly PatientSeries[], verdicts: Map<string, StepVerdict[]>): number[] {
  return series.map((s) => {
    const emitted = new Set(s.windows.map((w) => stepIndex(w.end, s.slideMs)));
    const scores = (verdicts.get(s.patientId) ?? []).filter((v) => emitted.has(v.index) && Number.isFinite(v.score)).map((v) => v.score);
    return scores.length > 0 ? Math.max(...scores) : 0;
  });
}

async function main(): Promise<void> {
  const backend = await selectBackend();
  log(`tfjs backend: ${backend}`);
  const split = simulatedSplits(args.seed, Number(args.scale)).test;
  const test = await loadOrBuildSimulatedDataset({ ...split, progress: true });
  const limitAlarms = test.flatMap((s) => s.limitAlarms);
  const news2Alarms = test.flatMap((s) => s.news2Alarms);
  const reference = { name: 'limit alarms', alarms: limitAlarms };

  const served = await score(join(artefacts, 'vigil-lstm'), test);
  const servedName = `LSTM ${served.meta.kind} (served, ${served.meta.version})`;
  const servedAlerts = alertsFor(test, served.verdicts, settingOf(served.meta));
  const detectors: DetectorResult[] = [evaluateDetector(servedName, servedAlerts, test, { reference })];
  const alternativeKind = served.meta.kind === 'forecaster' ? 'autoencoder' : 'forecaster';
  const altDir = join(artefacts, 'candidates', alternativeKind);
  let alternative: DetectorResult | null = null;
  if (existsSync(altDir)) {
    const alt = await score(altDir, test);
    alternative = evaluateDetector(`LSTM ${alt.meta.kind} (alternative, ${alt.meta.version})`, alertsFor(test, alt.verdicts, settingOf(alt.meta)), test, { reference });
    detectors.push(alternative);
  }
  const limits = evaluateDetector('limit alarms (cloud defaults)', limitAlarms, test);
  const news2 = evaluateDetector('NEWS2 (cloud detector)', news2Alarms, test, { reference });
  const random = evaluateDetector('random (LSTM alarm rate)', randomDetectorLike(servedAlerts, test, `${args.seed}:random`).alarms, test, { reference });
  detectors.push(limits, news2, random);
  const lstm = detectors[0]!;

  // Operating curve of the served model over the test ward, for reading only (the served setting came from validation).
  const curve = sweepSettings(served.verdicts, [settingOf(served.meta).mode]).map((setting) => ({ setting, p: point(evaluateDetector('sweep', alertsFor(test, served.verdicts, setting), test), setting.value) }));
  const servedSetting = settingOf(served.meta);
  const equalRecall = fewestAlarmsAtRecall(curve.map((c) => c.p), limits.recall);
  const reduction = equalRecall ? 1 - equalRecall.alarmsPerPatientDay / limits.alarmsPerPatientDay : null;

  const targets: Target[] = [
    { id: 'f1-vs-news2', label: 'LSTM F1 above NEWS2 F1 (target = NEWS2 F1)', detector: servedName, comparator: '>=', target: news2.f1, value: lstm.f1 },
    { id: 'f1-vs-limits', label: 'LSTM F1 above limit-alarm F1 (target = limit F1)', detector: servedName, comparator: '>=', target: limits.f1, value: lstm.f1 },
    { id: 'fa-vs-limits', label: 'LSTM false alarms per patient-day no more than limit alarms', detector: servedName, comparator: '<=', target: limits.falseAlarmsPerPatientDay, value: lstm.falseAlarmsPerPatientDay, unit: '/pt-day' },
    { id: 'fa-vs-news2', label: 'LSTM false alarms per patient-day no more than NEWS2', detector: servedName, comparator: '<=', target: news2.falseAlarmsPerPatientDay, value: lstm.falseAlarmsPerPatientDay, unit: '/pt-day' },
    { id: 'severe-recall', label: 'Recall of severe deteriorations', detector: servedName, comparator: '>=', target: 0.95, value: severeRecall(lstm) },
    { id: 'gradual-lead', label: 'Median lead time on gradual deteriorations', detector: servedName, comparator: '>=', target: 30, value: lstm.leadTimeMin.gradual.median, unit: 'min' },
    { id: 'alarm-reduction', label: 'Fewer alarms per patient-day than limit alarms at equal recall (test-ward operating curve)', detector: servedName, comparator: '>=', target: 0.8, value: reduction },
  ];

  const report: EvaluationReport = {
    title: 'Vigil LSTM anomaly detection: evaluation',
    generatedAt: new Date().toISOString(),
    method: '',
    datasets: [{ name: `Simulated ward, test seed ${split.seed}`, source: 'simulator', patients: test.length, patientDays: patientDays(test), events: lstm.events, description: `${split.patients} patients × ${split.hours} h, scenario mix ${split.scenarioMix}, default artifacts` }],
    eventDetection: [
      {
        dataset: 'Simulated ward (held-out seed)',
        detectors,
        operatingCurve: {
          detector: servedName,
          rule: `${servedSetting.mode} threshold swept over score quantiles, holds ${[5, 15, 30].join('/')} steps`,
          points: curve.map((c) => c.p),
          chosen: [
            { label: `served setting (from validation): ${servedSetting.mode} ${servedSetting.value.toFixed(3)}, hold ${servedSetting.holdSteps}`, point: point(lstm, servedSetting.value) },
            ...(equalRecall ? [{ label: `fewest alarms at limit-alarm recall (${limits.recall.toFixed(3)}), chosen on the test ward`, point: equalRecall }] : []),
          ],
        },
      },
    ],
    targets,
    ranking: [],
    leadBeforeEvents: [],
    notes: [],
    provenance: {},
  };

  // PhysioNet: the hourly forecaster on the held-out stays.
  const physionetDir = join(artefacts, 'physionet-forecaster');
  let physionet: { stays: number; deaths: number; rejected: number } | null = null;
  if (existsSync(args.physionet) && existsSync(physionetDir)) {
    const { test: stays, rejected } = await loadPhysioNetSplits(args.physionet, args.seed, args.set, args.outcomes);
    const labelled = stays.filter((s) => s.outcome !== undefined);
    const labels = labelled.map((s) => s.outcome!.inHospitalDeath);
    const scored = await score(physionetDir, labelled);
    const task = 'in-hospital death (per stay, highest score)';
    const rank = (detector: string, scores: number[]): RankingEntry => ({ task, detector, ...rankingSummary(scores, labels, { seed: `${args.seed}:bootstrap` }), roc: rocCurve(scores, labels) });
    const days = (s: PatientSeries) => Math.max(1 / 24, (s.end - s.start) / 86_400_000);
    report.ranking.push(
      rank(`LSTM forecaster (${scored.meta.version}): highest smoothed error`, maxScores(labelled, scored.verdicts)),
      rank('limit alarms: alarms per day of stay', labelled.map((s) => s.limitAlarms.length / days(s))),
      rank('NEWS-like: highest NEWS2 total', labelled.map((s) => Math.max(0, ...s.news2Scores.map((x) => x.total)))),
    );
    // Sustained hypotension only (the importer files it under the closest contract type, sepsis, with the meaning in detail).
    const events = labelled.flatMap((s) => s.truth.filter((e) => e.category === 'clinical' && e.type === 'sepsis'));
    const lead = (detector: string, alarms: AlarmEpisode[]): LeadBeforeEventsEntry => ({ task: 'sustained hypotension (MAP < 65 mmHg ≥ 1 h), alert ≥ 1 h before onset, within 12 h', detector, ...leadBeforeEvents({ alarms }, events, { series: labelled, minLeadMs: 3_600_000, lookbackMs: 12 * 3_600_000 }) });
    report.leadBeforeEvents.push(
      lead('LSTM forecaster', alertsFor(labelled, scored.verdicts, settingOf(scored.meta))),
      lead('limit alarms', labelled.flatMap((s) => s.limitAlarms)),
      lead('NEWS2', labelled.flatMap((s) => s.news2Alarms)),
    );
    const deaths = labels.filter(Boolean).length;
    physionet = { stays: labelled.length, deaths, rejected: rejected.length };
    report.datasets.push({ name: `PhysioNet 2012 ${args.set}, test split`, source: 'physionet', patients: labelled.length, patientDays: patientDays(labelled), events: events.length, description: `${deaths} in-hospital deaths; ${rejected.length} files rejected` });
    const auroc = report.ranking[0]!.auroc.estimate;
    targets.push({ id: 'physionet-auroc', label: 'AUROC for in-hospital death from vitals alone (PhysioNet test split)', detector: report.ranking[0]!.detector, comparator: '>=', target: 0.8, value: auroc });
  }

  report.method = methodText(served.meta, served.backend, served.seconds, test, physionet);
  report.notes = notes();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    /* not a git checkout */
  }
  report.provenance = { seed: args.seed, testSeed: split.seed, servedModel: served.meta.version, backend, commit, node: process.version };
  const written = await writeReport(report, resolve(args.out));
  log(`report: ${written.dir} (${written.files.length} files${written.warnings.length ? `, ${written.warnings.length} plot warnings` : ''})`);
  await writeModelCard(join(artefacts, 'vigil-lstm'), report, servedName);
  if (physionet) await writeModelCard(physionetDir, report, report.ranking[0]!.detector);
  for (const t of targets) log(`${t.label}: ${t.value === null ? 'n/a' : t.value.toFixed(3)} (target ${t.comparator} ${t.target.toFixed(3)})`);
}

function methodText(meta: ModelMetadata, backend: string, seconds: number, test: readonly PatientSeries[], physionet: { stays: number; deaths: number; rejected: number } | null): string {
  const t = settingOf(meta);
  return [
    `**Data.** Simulated wards from the project's simulators (physiology, scenarios, artifacts), passed through the edge's signal-quality judgement and the cloud's feature windows (5 min every 1 min, contracts/src/features.ts) — the same code the cloud runs. Training, validation and test wards use different seeds (no patient shared). Training uses normal stretches only (sequences touching a clinical event ± 30 min are left out).`,
    `**Model.** ${meta.kind === 'forecaster' ? 'A causal LSTM forecaster (Hundman et al. 2018): it reads up to ' + meta.steps + ' one-minute steps and predicts every vital\'s next level; the score is the mean absolute forecast error over observed vitals' : 'An LSTM encoder–decoder (Malhotra et al. 2016) over ' + meta.steps + ' one-minute steps; the score is the reconstruction error of the newest steps'}, ${meta.units} units, inputs per step: z-scored level and an observed flag for HR, SpO2, RR, SBP, MAP and temperature. Errors are smoothed (EWMA over ${meta.scoring.smoothingSteps} steps) and compared with ${t.mode === 'dynamic' ? 'Hundman\'s non-parametric dynamic threshold over the patient\'s last ' + (meta.scoring.threshold as { windowSteps: number }).windowSteps + ' steps, floored at ' + t.value.toFixed(3) : 'a fixed threshold of ' + t.value.toFixed(3)}; an alert lasts until ${t.holdSteps} steps pass without an exceedance. The alternative model is the ${meta.kind === 'forecaster' ? 'autoencoder' : 'forecaster'}; the served one had the better validation F1.`,
    `**Calibration.** The threshold mode, value and hold were chosen on the validation ward: the best event F1 among settings raising no more false alarms per patient-day than the limit alarms on the same patients. The test ward was not used for any choice.`,
    `**Metrics.** Event-based, never point-adjusted: an event (clinical ground truth, recovery excluded) is caught when an alarm starts between its onset and its end; an alarm is a true positive when it starts between an event's onset and 30 min after its end. Lead time = event peak (or onset) − first catching alarm. Limit alarms and NEWS2 are the cloud's own rule code replayed over the same samples (models/src/data/baselines.ts). The random detector raises alarms at the served model's rate and median duration.`,
    `**Scoring speed here.** The test ward (${test.length} patients) was scored in ${seconds.toFixed(1)} s on the tfjs '${backend}' backend.`,
    physionet
      ? `**PhysioNet 2012.** ${physionet.stays} held-out stays of ${args.set} (${physionet.deaths} in-hospital deaths; 30 % of the set by a seeded hash of the RecordID; the forecaster was trained on the other 70 %, no outcome used). Windows of 3 h every hour; unmeasured vitals are flagged, never imputed. Each stay's highest smoothed error is ranked against in-hospital death; baselines: limit alarms per day of stay and the highest NEWS2 total (hourly windows; no SpO2 in the data: SaO2 is arterial and not mapped to SpO2; consciousness not charted, so NEWS2 scores are partial). Derived events: sustained hypotension (MAP < 65 mmHg for ≥ 1 h). Data: Silva I, Moody G, Scott DJ, Celi LA, Mark RG. Predicting in-hospital mortality of ICU patients: The PhysioNet/Computing in Cardiology Challenge 2012. Computing in Cardiology 2012;39:245-248; Goldberger AL et al. PhysioBank, PhysioToolkit, and PhysioNet. Circulation 2000;101(23):e215-e220.`
      : '**PhysioNet 2012.** Not evaluated in this run (data or model absent).',
  ].join('\n\n');
}

function notes(): string[] {
  return [
    'Not a medical device. The LSTM raises advisory, low-priority alerts only; the rule-based limit and NEWS2 alarms never depend on it.',
    'Simulated wards follow the project\'s own physiology and scenario library: results show how the detectors compare on those scenarios, not how they would perform on a real ward.',
    'The equal-recall alarm reduction is read off an operating curve swept on the test ward itself, so it is an optimistic, descriptive figure; the served setting was chosen on validation only.',
  ];
}

await main();
