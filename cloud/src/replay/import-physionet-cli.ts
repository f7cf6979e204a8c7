/**
 * import-physionet: PhysioNet 2012 record files → one session file (models/src/physionet/physionet-session.ts).
 *   npm run -w @vigil/cloud import-physionet -- <dir|file>… --out <file.vsession.jsonl.gz>
 *        [--ward physionet-2012] [--outcomes Outcomes-a.txt] [--limit n] [--json]
 * Prints stays, records and every rejected file with its reason (file:line); --json prints the full report instead.
 * Exit codes: 0 imported (rejected files are listed, not fatal), 1 failure or nothing imported, 2 bad input.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ID_PATTERN } from '@vigil/contracts';
import { importPhysioNetSession } from '@vigil/models/physionet';

const HELP = `Usage: import-physionet <dir|file>... --out <file> [--ward <wardId>] [--outcomes <Outcomes-x.txt>] [--limit <n>] [--json]
  <dir|file>   directories of <RecordID>.txt files (e.g. set-a) and/or single record files
  --out        session file to write; a name ending in .gz is gzip-compressed
  --ward       ward of every stay (default physionet-2012)
  --outcomes   the set's outcomes file: each stay's outcome becomes ground truth on its patient
  --limit      import at most this many files
  --json       print the whole report as JSON
`;

class UsageError extends Error {}

// npm run -w changes the working directory to the workspace; INIT_CWD is where the user typed the command.
const cwd = process.env.INIT_CWD ?? process.cwd();
const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        ward: { type: 'string' },
        outcomes: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one directory or record file');
  if (!values.out) throw new UsageError('--out <file> is required');
  if (values.ward !== undefined && !ID_PATTERN.test(values.ward)) throw new UsageError('--ward: 1-64 of [A-Za-z0-9._-]');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) throw new UsageError('--limit must be a positive integer');

  const tty = process.stderr.isTTY;
  const report = await importPhysioNetSession({
    inputs: positionals.map(abs),
    out: abs(values.out),
    ...(values.ward ? { wardId: values.ward } : {}),
    ...(values.outcomes ? { outcomesFile: abs(values.outcomes) } : {}),
    ...(limit !== undefined ? { limit } : {}),
    onRejected: (r) => process.stderr.write(`rejected ${r.reason} [${r.code}]\n`),
    onProgress: (done, total) => {
      if (tty && (done % 100 === 0 || done === total)) process.stderr.write(`\rimporting ${done}/${total} files`);
      if (tty && done === total) process.stderr.write('\n');
    },
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const c = report.counts;
    process.stdout.write(
      [
        `${report.out}: ${report.stays} stays from ${report.files} files (${report.rejected.length} rejected), ` +
          `${report.patients} patients, ${report.devices} devices`,
        `records: ${report.records} (${report.messages} device messages, ${report.truth} ground-truth events), ${report.bytes} bytes`,
        `values: ${c.values} carried, ${c.implausible} implausible and ${c.zero} zero readings left out, ${c.notCarried} rows without a device channel (GCS, labs, ...)`,
        ...(report.outcomes > 0 ? [`outcomes: ${report.outcomes} stays, ${report.deaths} in-hospital deaths`] : []),
        ...(report.staysWithoutSamples.length > 0 ? [`stays without any sample (not in the session): ${report.staysWithoutSamples.join(', ')}`] : []),
        ...report.rejected.map((r) => `rejected: ${r.reason}`),
        `${(report.elapsedMs / 1000).toFixed(1)} s`,
      ].join('\n') + '\n',
    );
  }
  return report.stays > 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`import-physionet: ${err.message}\n\n${HELP}`);
      process.exit(2);
    }
    process.stderr.write(`import-physionet: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
