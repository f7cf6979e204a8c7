/**
 * The last run of every fault test as a markdown table (for docs/faults.md):
 *   node --import tsx test/support/fault-summary.ts
 * Reads the last JSON line of each `.vigil/faults/<name>.json` written by fault-report.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULT_REPORT_DIR, type FaultReport } from './fault-report.ts';

const files = existsSync(FAULT_REPORT_DIR) ? readdirSync(FAULT_REPORT_DIR).filter((f) => f.endsWith('.json')).sort() : [];
if (files.length === 0) {
  process.stderr.write(`no fault reports in ${FAULT_REPORT_DIR}: run npx vitest run test/faults first\n`);
  process.exit(1);
}
const n = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? 'n/a' : String(Math.round(v * 10 ** digits) / 10 ** digits));
const rows = files.map((file) => {
  const lines = readFileSync(join(FAULT_REPORT_DIR, file), 'utf8').trim().split('\n');
  const r = JSON.parse(lines.at(-1)!) as FaultReport & { at: string };
  const a = r.accounting;
  const p = r.parity;
  const parity = p === undefined ? 'n/a' : `${p.identical ? 'identical' : '**different**'} (${p.faulty}/${p.reference})`;
  return `| ${r.name} | ${r.at.slice(0, 16).replace('T', ' ')} | ${a.sent} | ${a.stored} | ${a.lost} | ${a.duplicated} | ${parity} | ${r.recoveryS.map((s) => n(s)).join(', ')} | ${n(r.drainRecordsPerS, 0)} |`;
});
process.stdout.write(
  ['| Fault | Run (UTC) | Sent | Stored | Lost | Duplicated | Cloud alarms vs fault-free | Recovery (s) | Backlog drain (records/s) |', '|---|---|---|---|---|---|---|---|---|', ...rows].join('\n') + '\n',
);
