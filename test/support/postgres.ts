/**
 * A throwaway PostgreSQL server (Debian's package) for tests: a fresh cluster in a temp directory, listening on
 * 127.0.0.1 and a free port only (its unix socket inside the temp directory), fsync off for speed, and a created
 * role and database reached with password (SCRAM) authentication, as the cloud would be configured.
 *
 * initdb refuses to run as root; tests run as root here and in CI, so then the server runs as the `postgres` system
 * user (the Debian package creates it) with the temp directory owned by it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './mosquitto.ts';

const run = promisify(execFile);
const ROOT = '/usr/lib/postgresql';

/** The newest installed PostgreSQL's bin directory, or undefined. */
export function findPostgresBin(): string | undefined {
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT)
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(ROOT, versions[0]!, 'bin') : undefined;
}

export interface RunningPostgres {
  /** postgres://user:password@127.0.0.1:port/database */
  url: string;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Default false: a test server need not survive power loss. Benchmarks pass true for production-like figures. */
  fsync?: boolean;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<RunningPostgres> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      `PostgreSQL is not installed (no ${ROOT}/*/bin/initdb): run scripts/install-system-deps.sh (Debian package postgresql) to run the PostgreSQL tests`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  if (asRoot) {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`running as root, PostgreSQL needs the 'postgres' system user (Debian's postgresql package creates it): ${(err as Error).message}`);
    }
  }
  // As the server's owner: `runuser -u postgres --` when root, else directly.
  const pgTool = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { cwd: dir }) : run(join(bin, tool), args, { cwd: dir });

  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const user = 'vigil_test';
  const database = 'vigil_test';
  let started = false;
  const stopSync = () => {
    if (!started) return;
    started = false;
    try {
      const args = ['-D', data, '-m', 'immediate', 'stop'];
      if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { cwd: dir, stdio: 'ignore' });
      else execFileSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  const onExit = () => {
    stopSync();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // Local (socket) connections: trust, for the bootstrap below; TCP: password (SCRAM) only.
    await pgTool('initdb', ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync']);
    const settings = [
      `-c listen_addresses=127.0.0.1`,
      `-c port=${port}`,
      `-c unix_socket_directories=${dir}`,
      `-c fsync=${options.fsync ? 'on' : 'off'}`,
      `-c synchronous_commit=${options.fsync ? 'on' : 'off'}`,
      `-c full_page_writes=${options.fsync ? 'on' : 'off'}`,
      '-c max_connections=50',
    ].join(' ');
    await pgTool('pg_ctl', ['-D', data, '-l', log, '-o', settings, '-w', '-t', '60', 'start']);
    started = true;
    process.once('exit', onExit);

    const admin = new pg.Client({ host: dir, port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      // CREATEDB: a test suite may create one database per test.
      await admin.query(`CREATE ROLE ${user} LOGIN CREATEDB PASSWORD '${password}'`);
      await admin.query(`CREATE DATABASE ${database} OWNER ${user}`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    const detail = existsSync(log) ? `\n${safeRead(log)}` : '';
    onExit();
    process.removeListener('exit', onExit);
    throw new Error(`could not start PostgreSQL from ${bin}: ${(err as Error).message}${detail}`);
  }

  return {
    url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    async stop() {
      if (started) {
        started = false;
        await pgTool('pg_ctl', ['-D', data, '-m', 'fast', 'stop']).catch(() => undefined);
      }
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function safeRead(file: string): string {
  try {
    return execFileSync('tail', ['-n', '20', file], { encoding: 'utf8' });
  } catch {
    return '';
  }
}
