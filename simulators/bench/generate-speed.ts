/**
 * Generation speed to session files: patient-hours per second, one process, as fast as possible.
 *   node --import tsx simulators/bench/generate-speed.ts [patients] [hours]
 * Reports plain and gzip output, without and with waveforms, and the default artifact rates on. No time asserted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSession } from '../src/output/generate-session.ts';
import { wardDevices } from '../src/ward.ts';

const patients = Number(process.argv[2] ?? 100);
const hours = Number(process.argv[3] ?? 6);
const dir = mkdtempSync(join(tmpdir(), 'vigil-genbench-'));
const start = Date.UTC(2026, 0, 1);
const cases = [
  { name: 'numerics, gzip', file: 'a.vsession.jsonl.gz', waveforms: false, patients, hours },
  { name: 'numerics, plain', file: 'b.vsession.jsonl', waveforms: false, patients, hours },
  { name: 'numerics + ECG/pleth, gzip', file: 'c.vsession.jsonl.gz', waveforms: true, patients: Math.max(1, Math.round(patients / 10)), hours: 1 },
];
const rows = [];
for (const c of cases) {
  const r = await generateSession({
    devices: wardDevices('ward-g', c.patients, Math.round(c.patients / 4)),
    seed: 'bench',
    start,
    end: start + c.hours * 3_600_000,
    scenarioMix: 'sepsis:0.1,respiratory_failure:0.05,hypoxaemia:0.05',
    artifacts: 'default',
    deviceOptions: { waveforms: c.waveforms },
    out: join(dir, c.file),
  });
  const row = { case: c.name, patients: c.patients, hours: c.hours, messages: r.messages, mb: Math.round(r.bytes / 1e5) / 10, seconds: Math.round(r.seconds * 10) / 10, patientHoursPerS: Math.round((r.patientHours / r.seconds) * 10) / 10, messagesPerS: Math.round(r.messages / r.seconds) };
  rows.push(row);
  process.stdout.write(JSON.stringify(row) + '\n');
}
rmSync(dir, { recursive: true, force: true });
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
const md = [
  '# Simulator generation speed to session files',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, one process. Command: \`node --import tsx simulators/bench/generate-speed.ts ${patients} ${hours}\``,
  '(25 % wearables, default artifact rates, a 20 % deterioration mix; ICU monitors at 1 Hz, wearables every 5 s.)',
  '',
  '| case | patients × hours | messages | size (MB) | wall (s) | patient-hours/s | messages/s |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.case} | ${r.patients} × ${r.hours} | ${r.messages} | ${r.mb} | ${r.seconds} | ${r.patientHoursPerS} | ${r.messagesPerS} |`),
  '',
];
writeFileSync('docs/benchmarks/simulator-generation.md', md.join('\n'));
writeFileSync('docs/benchmarks/simulator-generation.json', JSON.stringify({ machine, rows }, null, 2) + '\n');
process.stdout.write(md.join('\n'));
