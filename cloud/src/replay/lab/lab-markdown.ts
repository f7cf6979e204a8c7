/**
 * The lab result as a markdown report: what was run, the comparison table, then the detail per configuration
 * (alarms by code, what an extra delay would have suppressed, recall by detector / severity / type, the noisiest
 * patients, missed events), and how the figures are counted.
 */
import type { LabConfigResult, LabResult } from '@vigil/contracts';
import { limitRulesOf } from './lab-config.ts';

export interface MarkdownOptions {
  title?: string;
  /** PNG files next to the report, with their captions. */
  figures?: ReadonlyArray<{ file: string; caption: string }>;
  /** Lines about the run (command, wall time, machine): outside the deterministic result. */
  runNotes?: readonly string[];
}

const fmt = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '–' : x.toFixed(digits));
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

function row(cells: ReadonlyArray<string | number>): string {
  return `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
}

function tableOf(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, align?: string): string {
  const sep = align ?? header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ');
  return [row(header), `| ${sep} |`, ...rows.map(row)].join('\n');
}

function describeConfig(c: LabConfigResult): string {
  const cfg = c.config;
  const rules = limitRulesOf(cfg)
    .map((r) => `${r.code} ${r.comparator} ${r.limit} (${r.priority}, ${r.delayMs / 1000} s${r.latching ? ', latching' : ''})`)
    .join('; ');
  const news2 = cfg.news2.enabled
    ? cfg.news2.triggers.map((t) => ('minTotal' in t ? `total ≥ ${t.minTotal} → ${t.priority}` : `single 3 → ${t.priority}`)).join(', ')
    : 'off';
  const lstm = c.model ? `${c.model.name} ${c.model.version} (${c.model.kind}), threshold ${c.model.threshold}` : 'off';
  return [
    `- **${c.name}**${c.description ? `: ${c.description}` : ''}`,
    `  - limit rules: ${rules || 'none'}`,
    `  - NEWS2 (${cfg.news2WindowMs / 60_000} min windows): ${news2}`,
    `  - LSTM: ${lstm}`,
  ].join('\n');
}

export function labMarkdown(result: LabResult, options: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`# ${options.title ?? 'Alarm-burden lab'}`, '');
  out.push('**Not a medical device.** Figures describe how alarm configurations behave on these sessions, not clinical performance.', '');
  out.push('## Sessions', '');
  out.push(
    tableOf(
      ['session', 'source', 'patients', 'patient-days', 'span', 'messages', 'samples to the cloud', 'refused by the edge', 'ground-truth events'],
      result.sessions.map((s) => [s.name, s.source, s.patients, fmt(s.patientDays, 1), `${iso(s.start)} – ${iso(s.end)}`, s.messages, s.samples, s.rejected, s.truthEvents]),
    ),
    '',
  );
  if (options.runNotes?.length) out.push(...options.runNotes.map((n) => `- ${n}`), '');

  out.push('## Configurations', '', ...result.configs.map(describeConfig), '');

  out.push('## Comparison', '');
  out.push(
    tableOf(
      ['configuration', 'alarms / patient-day', 'high', 'medium', 'low', 'of which advisory', 'events caught', 'recall', 'precision', 'false alarms / patient-day', 'median lead (min) [IQR]', `lead vs ${result.reference} (min)`],
      result.configs.map((c) => [
        c.name,
        fmt(c.alarms.perPatientDay),
        fmt(c.alarms.byPriority.high.perPatientDay),
        fmt(c.alarms.byPriority.medium.perPatientDay),
        fmt(c.alarms.byPriority.low.perPatientDay),
        fmt(c.alarms.byKind.advisory.perPatientDay),
        `${c.events.caught} / ${c.events.events}`,
        pct(c.events.recall),
        pct(c.events.precision),
        fmt(c.events.falseAlarmsPerPatientDay),
        c.events.leadTimeMin.all.n > 0 ? `${fmt(c.events.leadTimeMin.all.median, 1)} [${fmt(c.events.leadTimeMin.all.q1, 1)}, ${fmt(c.events.leadTimeMin.all.q3, 1)}]` : '–',
        c.name === result.reference || !c.events.leadOverReferenceMin?.n ? '–' : `${fmt(c.events.leadOverReferenceMin.median, 1)} (n ${c.events.leadOverReferenceMin.n})`,
      ]),
    ),
    '',
  );
  for (const f of options.figures ?? []) out.push(`![${f.caption}](${f.file})`, '', `*${f.caption}*`, '');

  out.push('## Alarms by code', '');
  const codes = [...new Set(result.configs.flatMap((c) => c.alarms.byCode.map((r) => r.code)))].sort();
  out.push(
    tableOf(
      ['code', ...result.configs.map((c) => c.name)],
      codes.map((code) => [
        code,
        ...result.configs.map((c) => {
          const r = c.alarms.byCode.find((x) => x.code === code);
          return r ? `${fmt(r.perPatientDay)} (median ${fmt(r.medianDurationS, 0)} s)` : '–';
        }),
      ]),
    ),
    '',
    'Per patient-day; median duration from raise to the end of the condition (latching alarms: when they latched).',
    '',
  );

  out.push('## Alarms an extra condition delay would have suppressed', '');
  const delays = result.configs[0]?.suppressedByDelay.map((s) => s.delayMs) ?? [];
  out.push(
    tableOf(
      ['configuration', ...delays.map((d) => `ended within ${d / 1000} s`)],
      result.configs.map((c) => [c.name, ...c.suppressedByDelay.map((s) => `${s.alarms} (${pct(s.share)}; limit rules ${s.limitRuleAlarms})`)]),
    ),
    '',
    'An alarm whose condition ended less than *d* after it was raised would not have been raised with a condition delay longer by *d*.',
    '',
  );

  out.push('## Events caught, by detector, severity and type', '');
  for (const c of result.configs) {
    const part = (rows: LabConfigResult['events']['bySource']) => rows.map((r) => `${r.key} ${r.caught}/${r.events}`).join(', ') || '–';
    out.push(`- **${c.name}**: by detector ${part(c.events.bySource)}; by severity ${part(c.events.bySeverity)}; by type ${part(c.events.byType)}`);
  }
  out.push('');

  out.push('## Noisiest patients', '');
  for (const c of result.configs) {
    const list = c.noisiestPatients.map((p) => `${p.patientId} (${p.bedId}, ${p.alarms} alarms, ${fmt(p.perDay, 1)}/day, mostly ${p.topCode})`).join('; ');
    out.push(`- **${c.name}**: ${list || 'no alarm'}`);
  }
  out.push('');

  const anyMissed = result.configs.some((c) => c.events.missed > 0);
  if (anyMissed) {
    out.push('## Missed events (first 10 per configuration)', '');
    for (const c of result.configs) {
      if (c.events.missed === 0) continue;
      const list = c.events.missedEvents.slice(0, 10).map((e) => `${e.patientId} ${e.type} (${e.severity}) at ${iso(e.onset)}`).join('; ');
      out.push(`- **${c.name}** (${c.events.missed} missed): ${list}`);
    }
    out.push('');
  }

  out.push('## How the figures are counted', '');
  out.push(
    '- Each session is replayed in event time through the cloud\u2019s own code: the edge\u2019s checks (plausibility, duplicates, signal quality: the replayer\u2019s EdgeEquivalent), then the stream processor (limit rules per device stream, NEWS2 windows, feature windows → the LSTM) and the alarm manager. No real-time pacing, no storage.',
    '- An alarm is one alarm-manager episode (one alarm id): several device streams holding the same condition are one alarm; a NEWS2 band change is an escalation of the same alarm, counted once at its highest priority.',
    '- Events: the sessions\u2019 ground truth, clinical events other than recovery (artifacts and technical faults are not targets). An event is caught when an alarm of its patient is raised between its onset and its end; lead time = (peak, else onset) − that alarm; an alarm is a true positive when it is raised within an event or up to 30 min after it (models/src/evaluation/event-metrics.ts, never point-adjusted).',
    '- Windows still open at the end of a session (the last NEWS2 and feature windows) never fire, as in the live cloud.',
  );
  if (result.sessions.some((s) => s.source === 'physionet-2012')) {
    out.push('- Charted sessions (PhysioNet): values count as good quality; the signal-quality rules judge 1 Hz device streams, not values an hour apart. Their events are derived from the same charted values (models/src/physionet/derived-events.ts).');
  }
  out.push('');
  return out.join('\n');
}
