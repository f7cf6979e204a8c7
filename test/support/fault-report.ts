/**
 * The common report of every fault test: a console table and one JSON line appended to `.vigil/faults/<name>.json`
 * (one line per run, so a history of runs accumulates; docs/faults.md quotes the last). Figures are reported, never
 * asserted as times: the machine is shared.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Accounting } from './fault-ward.ts';
import type { AlarmParity } from './fault-scenario.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const FAULT_REPORT_DIR = join(root, '.vigil', 'faults');

export interface FaultReport {
  /** File name under .vigil/faults (kebab-case, one per fault). */
  name: string;
  seed: string;
  /** What was injected, in one line. */
  fault: string;
  accounting: Omit<Accounting, 'lostKeys'>;
  parity: AlarmParity | undefined;
  /** Fault end (restart, heal, space back) → service ready / backlog drained, s, one per injection. */
  recoveryS: Array<number | null>;
  /** Backlog drained after the last fault, records per s (null: no backlog formed). */
  drainRecordsPerS: number | null;
  /** Anything else the test measured (kept flat: numbers and short strings). */
  figures: Record<string, unknown>;
}

const fmt = (v: unknown): string => (v === null || v === undefined ? 'n/a' : typeof v === 'number' ? String(Math.round(v * 100) / 100) : typeof v === 'string' ? v : JSON.stringify(v));

/** Print the table, append the JSON line; returns the line written. */
export function writeFaultReport(report: FaultReport): string {
  const a = report.accounting;
  const p = report.parity;
  const rows: Record<string, unknown> = {
    fault: report.fault,
    seed: report.seed,
    'sent / stored': `${a.sent} / ${a.stored}`,
    'lost / duplicated / unexpected': `${a.lost} / ${a.duplicated} / ${a.unexpected}`,
    'alarm parity': p === undefined ? 'not measured' : `${p.identical ? 'identical' : 'DIFFERENT'} (${p.faulty} of ${p.reference} alarms, transitions ${p.transitionsIdentical ? 'identical' : 'differ'}, NEWS2 ${p.news2Identical ? 'identical' : 'differ'}${p.excluded ? `; ${p.excluded}` : ''})`,
    'recovery (s)': report.recoveryS.map(fmt).join(', '),
    'backlog drain (records/s)': fmt(report.drainRecordsPerS),
    ...Object.fromEntries(Object.entries(report.figures).map(([k, v]) => [k, fmt(v)])),
  };
  const width = Math.max(...Object.keys(rows).map((k) => k.length));
  console.log([`── fault: ${report.name}`, ...Object.entries(rows).map(([k, v]) => `  ${k.padEnd(width)}  ${fmt(v)}`)].join('\n'));
  const line = JSON.stringify({ at: new Date().toISOString(), ...report });
  mkdirSync(FAULT_REPORT_DIR, { recursive: true });
  appendFileSync(join(FAULT_REPORT_DIR, `${report.name}.json`), `${line}\n`);
  return line;
}
