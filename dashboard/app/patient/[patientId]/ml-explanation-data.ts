/**
 * What an ML advisory alarm (code ML_ANOMALY, cloud/src/detectors/anomaly-detector.ts) says about itself, shaped for
 * the screen: one bar per vital with its share of the anomaly score (largest first), the event-time window the model
 * judged, the score against its threshold, and the model's sentence. A bar's length is the share, never a probability.
 */
import { VITALS, type Alarm, type ContributionVital, type VitalCode } from '@vigil/contracts';

export interface ContributionBar {
  vital: ContributionVital;
  label: string;
  /** Share of the score, 0–100 (normalised over the bars, so they sum to 100). */
  percent: number;
}

export interface MlExplanation {
  bars: ContributionBar[];
  windowStart: number | null;
  windowEnd: number | null;
  score: number | null;
  threshold: number | null;
  sentence: string | null;
}

/** The model's feature vitals that merge invasive and cuff pressure (contracts/src/alarm.ts, CONTRIBUTION_VITALS). */
const FEATURE_LABELS: Readonly<Record<Exclude<ContributionVital, VitalCode>, string>> = {
  sbp: 'Systolic BP',
  map: 'Mean arterial pressure',
};

export function contributionLabel(vital: ContributionVital): string {
  return vital in VITALS ? VITALS[vital as VitalCode].label : FEATURE_LABELS[vital as Exclude<ContributionVital, VitalCode>];
}

export function isMlAlarm(alarm: Alarm): boolean {
  return alarm.kind === 'advisory' && alarm.evidence.contributions !== undefined;
}

export function mlExplanation(alarm: Alarm): MlExplanation {
  const { contributions = {}, windowStart, windowEnd, value, limit, detail } = alarm.evidence;
  const entries = (Object.entries(contributions) as Array<[ContributionVital, number]>).filter(([, v]) => Number.isFinite(v) && v !== 0);
  const total = entries.reduce((sum, [, v]) => sum + Math.abs(v), 0);
  const bars = entries
    .map(([vital, v]) => ({ vital, label: contributionLabel(vital), percent: total > 0 ? (100 * Math.abs(v)) / total : 0 }))
    .sort((a, b) => b.percent - a.percent || a.vital.localeCompare(b.vital));
  return {
    bars,
    windowStart: windowStart ?? null,
    windowEnd: windowEnd ?? null,
    score: value ?? null,
    threshold: limit ?? null,
    sentence: detail ?? null,
  };
}
