/**
 * CSV exports of a lab result (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote or line break
 * quoted, quotes doubled): one row per configuration (the comparison), and one row per configuration and alarm code.
 */
import type { LabResult } from '@vigil/contracts';

function field(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** The comparison: one row per configuration. */
export function labSummaryCsv(result: LabResult): string {
  const delays = result.configs[0]?.suppressedByDelay.map((s) => s.delayMs) ?? [];
  const header = [
    'config',
    'patients',
    'patient_days',
    'alarms',
    'alarms_per_patient_day',
    'high_per_patient_day',
    'medium_per_patient_day',
    'low_per_patient_day',
    'physiological_per_patient_day',
    'advisory_per_patient_day',
    'events',
    'caught',
    'missed',
    'recall',
    'precision',
    'false_alarms_per_patient_day',
    'lead_median_min',
    'lead_q1_min',
    'lead_q3_min',
    `lead_over_${result.reference}_median_min`,
    ...delays.map((d) => `ended_within_${d / 1000}s`),
    'model',
  ];
  const rows = result.configs.map((c) => {
    const byDelay = new Map(c.suppressedByDelay.map((s) => [s.delayMs, s.alarms]));
    return [
      c.name,
      result.patients,
      result.patientDays,
      c.alarms.total,
      c.alarms.perPatientDay,
      c.alarms.byPriority.high.perPatientDay,
      c.alarms.byPriority.medium.perPatientDay,
      c.alarms.byPriority.low.perPatientDay,
      c.alarms.byKind.physiological.perPatientDay,
      c.alarms.byKind.advisory.perPatientDay,
      c.events.events,
      c.events.caught,
      c.events.missed,
      c.events.recall,
      c.events.precision,
      c.events.falseAlarmsPerPatientDay,
      c.events.leadTimeMin.all.median,
      c.events.leadTimeMin.all.q1,
      c.events.leadTimeMin.all.q3,
      c.events.leadOverReferenceMin?.median ?? null,
      ...delays.map((d) => byDelay.get(d) ?? null),
      c.model ? `${c.model.name} ${c.model.version} (${c.model.threshold})` : null,
    ];
  });
  return table(header, rows);
}

/** Alarms per configuration and code. */
export function labByCodeCsv(result: LabResult): string {
  const rows = result.configs.flatMap((c) => c.alarms.byCode.map((r) => [c.name, r.code, r.count, r.perPatientDay, r.medianDurationS]));
  return table(['config', 'code', 'alarms', 'per_patient_day', 'median_duration_s'], rows);
}
