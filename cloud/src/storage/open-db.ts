/**
 * The cloud's Db from its configuration: PostgreSQL when a database URL is set (scale-out: several processors share
 * it), else the embedded SQLite file. Migrations are applied before the Db is returned.
 */
import type { Db } from './db.ts';
import { openPostgresDb } from './postgres-db.ts';
import { openSqliteDb } from './sqlite-db.ts';

export interface OpenDbConfig {
  /** SQLite file (':memory:' allowed); used when databaseUrl is unset. */
  dbFile: string;
  /** postgres://user:password@host:port/database; set = PostgreSQL. */
  databaseUrl?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

export async function openDb(config: OpenDbConfig): Promise<Db> {
  const db = config.databaseUrl ? await openPostgresDb(config.databaseUrl, { poolSize: config.poolSize }) : openSqliteDb(config.dbFile);
  try {
    await db.migrate();
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}
