/**
 * MODEL_CARD.md beside a saved model (Mitchell et al. 2019, "Model Cards for Model Reporting"): what it is, what it
 * was trained on, how it was calibrated, how it performed on held-out data, and what it must not be used for.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvaluationReport } from '../evaluation/report-types.ts';
import { readMetadata } from '../model/artefacts.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export async function writeModelCard(dir: string, report: EvaluationReport, detector: string): Promise<void> {
  const m = await readMetadata(dir);
  const result = report.eventDetection.flatMap((s) => s.detectors).find((d) => d.detector === detector);
  const ranking = report.ranking.find((r) => r.detector === detector);
  const training = m.training as { seed?: string; backend?: string; epochs?: Array<{ loss: number; valLoss: number }>; bestEpoch?: number; sequences?: { train: number; validation: number }; seconds?: number; dataset?: unknown };
  const lines = [
    `# Model card: ${m.name} ${m.version}`,
    '',
    '**Not a medical device.** Advisory alerts only; rule-based alarms never depend on this model.',
    '',
    '## Model',
    `- Kind: ${m.kind}; LSTM ${m.units} units (recurrent activation sigmoid), ${m.steps} steps of ${m.slideMs / 60_000} min${m.chainPeriod ? `, incremental serving with chains restarting every ${m.chainPeriod} steps` : ''}.`,
    `- Input: z-scored window level and an observed flag for HR, SpO2, RR, SBP, MAP, temperature (windows of ${m.windowMs / 60_000} min).`,
    `- Alert rule: ${JSON.stringify(m.scoring)}.`,
    '',
    '## Training',
    `- Seed ${training.seed}; backend ${training.backend}; ${training.sequences?.train} training / ${training.sequences?.validation} validation sequences; best epoch ${training.bestEpoch} of ${training.epochs?.length}; ${training.seconds} s.`,
    `- Data: ${JSON.stringify(training.dataset)}.`,
    `- Calibration (validation only): ${JSON.stringify(m.evaluation ?? {})}.`,
    '',
    '## Held-out results',
  ];
  if (result) {
    lines.push(
      `- Events caught ${result.caughtEvents}/${result.events} (recall ${pct(result.recall)}), precision ${pct(result.precision)}, F1 ${result.f1.toFixed(3)}.`,
      `- ${result.alarmsPerPatientDay.toFixed(2)} alarms and ${result.falseAlarmsPerPatientDay.toFixed(2)} false alarms per patient-day; median lead on gradual events ${result.leadTimeMin.gradual.median?.toFixed(0) ?? 'n/a'} min.`,
    );
  }
  if (ranking) lines.push(`- ${ranking.task}: AUROC ${ranking.auroc.estimate.toFixed(3)} (95 % CI ${ranking.auroc.lower.toFixed(3)}–${ranking.auroc.upper.toFixed(3)}), AUPRC ${ranking.auprc.estimate.toFixed(3)} (prevalence ${ranking.prevalence.toFixed(3)}).`);
  lines.push('', 'Full report: docs/models/evaluation/report.md.', '', '## Limits', ...report.notes.map((n) => `- ${n}`), '');
  await writeFile(join(dir, 'MODEL_CARD.md'), lines.join('\n'));
}
