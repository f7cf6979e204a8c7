/**
 * vigil-users: manage clinician accounts and check the audit log from a shell on the cloud host.
 *   node --import tsx cloud/src/users-cli.ts add --username u --role clinician --wards ward-a,ward-b [--password-file f]
 *   node --import tsx cloud/src/users-cli.ts list | disable --username u | set-wards --username u --wards a,b | verify-audit
 * The password never goes on the command line (it would show in `ps` and the shell history): --password-file, or the
 * VIGIL_NEW_USER_PASSWORD environment variable. Account changes are audited with actor `cli`.
 * Exit codes: 0 done, 1 failure (or a broken audit chain), 2 bad input.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isPmError, Role, UserCreateRequest } from '@vigil/contracts';
import { createAuditLog } from './audit/audit-log.ts';
import { UserRepository } from './auth/user-repository.ts';
import { openDb } from './storage/open-db.ts';

const HELP = `Usage: vigil-users <command> [options]
  add --username <u> --role <clinician|charge_nurse|admin> [--wards ward-a,ward-b] [--password-file <f>]
        password: first line of --password-file, else $VIGIL_NEW_USER_PASSWORD (at least 12 characters)
  list
  disable --username <u>
  set-wards --username <u> --wards ward-a,ward-b
  verify-audit
Database: $VIGIL_CLOUD_DATABASE_URL (PostgreSQL) or $VIGIL_CLOUD_DB_FILE (default .vigil/cloud/vigil.sqlite)
`;

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        username: { type: 'string' },
        role: { type: 'string' },
        wards: { type: 'string' },
        'password-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return fail((err as Error).message);
  }
}

function readPassword(file: string | undefined): string {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      return fail(`cannot read --password-file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  const fromEnv = process.env.VIGIL_NEW_USER_PASSWORD;
  if (fromEnv === undefined || fromEnv === '') return fail('no password: use --password-file <f> or set VIGIL_NEW_USER_PASSWORD');
  return fromEnv;
}

const wardList = (value: string | undefined): string[] => (value ?? '').split(',').map((w) => w.trim()).filter((w) => w !== '');
const required = (value: string | undefined, flag: string): string => value ?? fail(`${flag} is required`);

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const command = positionals[0];
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (!['add', 'list', 'disable', 'set-wards', 'verify-audit'].includes(command)) fail(`unknown command ${command}`);
  if (positionals.length > 1) fail(`unexpected argument ${positionals[1]}`);
  // Check the input before touching the database, so a typo never creates a database file.
  let password = '';
  if (command === 'add') {
    required(values.username, '--username');
    if (!Role.safeParse(required(values.role, '--role')).success) fail(`--role must be one of ${Role.options.join(', ')}`);
    password = readPassword(values['password-file']);
    const input = UserCreateRequest.safeParse({ username: values.username, password, role: values.role, wards: wardList(values.wards) });
    if (!input.success) fail(`invalid user: ${input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if (command === 'disable' || command === 'set-wards') required(values.username, '--username');
  if (command === 'set-wards') required(values.wards, '--wards');

  const db = await openDb({ dbFile: process.env.VIGIL_CLOUD_DB_FILE ?? '.vigil/cloud/vigil.sqlite', databaseUrl: process.env.VIGIL_CLOUD_DATABASE_URL });
  try {
    const users = new UserRepository();
    const audit = createAuditLog(db);
    const actor = { actor: 'cli', role: 'system' };
    switch (command) {
      case 'add': {
        const user = await users.create(db, { username: values.username!, password, role: values.role as Role, wards: wardList(values.wards) });
        await audit.append({ ...actor, action: 'user.create', resource: `user/${user.username}`, detail: { role: user.role, wards: user.wards } });
        process.stdout.write(`created ${user.username} (${user.role}; wards: ${user.wards.join(', ') || 'none'})\n`);
        return 0;
      }
      case 'list': {
        for (const u of await users.list(db)) {
          process.stdout.write(`${u.username}\t${u.role}\t${u.wards.join(',') || '-'}\t${u.disabled ? 'disabled' : 'active'}\n`);
        }
        return 0;
      }
      case 'disable': {
        const user = await users.disable(db, values.username!);
        await audit.append({ ...actor, action: 'user.disable', resource: `user/${user.username}`, detail: null });
        process.stdout.write(`disabled ${user.username} (open sessions end at their next request)\n`);
        return 0;
      }
      case 'set-wards': {
        const user = await users.setWards(db, values.username!, wardList(values.wards));
        await audit.append({ ...actor, action: 'user.set-wards', resource: `user/${user.username}`, detail: { wards: user.wards } });
        process.stdout.write(`${user.username}: wards ${user.wards.join(', ') || 'none'}\n`);
        return 0;
      }
      default: {
        const result = await audit.verify();
        process.stdout.write(`${JSON.stringify(result)}\n`);
        if (!result.ok) process.stderr.write(`audit log broken at seq ${result.brokenAt}: ${result.reason}\n`);
        return result.ok ? 0 : 1;
      }
    }
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`vigil-users: ${err.message}\n\n${HELP}`);
      process.exitCode = 2;
    } else if (isPmError(err) && (err.code === 'PM_ERR_VALIDATION' || err.code === 'PM_ERR_NOT_FOUND')) {
      const details = (err.details ?? []).map((d) => `\n  ${d.path}: ${d.message}`).join('');
      process.stderr.write(`vigil-users: ${err.message}${details}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`vigil-users: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
