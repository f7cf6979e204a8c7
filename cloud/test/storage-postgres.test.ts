/**
 * The PostgreSQL Db against a real server started for this file (test/support/postgres.ts; Debian's postgresql
 * package, installed by scripts/install-system-deps.sh). Each test gets a database of its own.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type RunningPostgres } from '../../test/support/postgres.ts';
import type { Db } from '../src/storage/db.ts';
import { openDb } from '../src/storage/open-db.ts';
import { describePostgresUrl, openPostgresDb } from '../src/storage/postgres-db.ts';
import { storageConformance } from './storage-conformance.ts';

let server: RunningPostgres;
let admin: pg.Client;
let next = 0;

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client(server.url);
  await admin.connect();
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
}, 60_000);

async function freshDb(): Promise<Db> {
  const name = `vigil_t${++next}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return openPostgresDb(url.toString(), { poolSize: 4 });
}

describe('PostgreSQL Db (conformance)', () => {
  storageConformance(freshDb);
});

describe('PostgreSQL Db', () => {
  it('describes itself without credentials', () => {
    expect(describePostgresUrl('postgres://vigil:s3cret@db.example:6543/vigil')).toBe('postgres://db.example:6543/vigil');
    expect(describePostgresUrl('postgresql://db/vigil')).toBe('postgres://db:5432/vigil');
  });

  it('openDb chooses PostgreSQL when a URL is set, and migrates', async () => {
    const db = await openDb({ dbFile: '/nonexistent/never-used.sqlite', databaseUrl: server.url });
    expect(db.dialect).toBe('postgres');
    expect((await db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual([1, 2, 3]);
    await db.close();
  });

  it('migrates once when several processes start at the same time', async () => {
    const name = `vigil_t${++next}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    const dbs = await Promise.all([1, 2, 3].map(() => openPostgresDb(url.toString())));
    await Promise.all(dbs.map((db) => db.migrate()));
    expect(await dbs[0]!.all('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
    await Promise.all(dbs.map((db) => db.close()));
  });

  it('leaves pg\u2019s global type parsers alone', async () => {
    const db = await freshDb();
    expect(await db.get('SELECT 9007199254740::bigint AS big, 1.5::numeric AS num')).toEqual({ big: 9007199254740, num: 1.5 });
    expect(typeof pg.types.getTypeParser(20, 'text')('12')).toBe('string');
    await db.close();
  });

  it('fails with a clear message when the server is not reachable', async () => {
    const url = new URL(server.url);
    url.port = '1';
    await expect(openPostgresDb(url.toString())).rejects.toThrow(/PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/vigil_test is not reachable/);
  });
});
