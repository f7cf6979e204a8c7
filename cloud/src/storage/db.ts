/**
 * The one database seam of the cloud: SQLite (better-sqlite3, WAL; the embedded default) or PostgreSQL (pg), behind
 * the same small async interface. Repositories (one per concern, in this folder) write portable SQL against it:
 *  - placeholders are `?` (the PostgreSQL driver rewrites them to $1, $2, …);
 *  - upserts use `INSERT … ON CONFLICT (…) DO NOTHING / DO UPDATE SET x = excluded.x` (both dialects);
 *  - times are integer epoch ms (BIGINT in PostgreSQL, returned as numbers), booleans 0/1, JSON as TEXT.
 * Where the dialects differ (DDL, a few functions), the repository branches on `db.dialect`.
 *
 * Implementations: openSqliteDb (sqlite-db.ts), openPostgresDb (postgres-db.ts); openDb (open-db.ts) picks one from
 * the configuration and migrates. Both parse integers to JS numbers (PostgreSQL BIGINT and NUMERIC included).
 */
export type Dialect = 'sqlite' | 'postgres';

export type SqlValue = string | number | bigint | null | Buffer;
export type Row = Record<string, unknown>;

export interface DbExecutor {
  readonly dialect: Dialect;
  /** Rows of a query. */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Run a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Run one statement for many parameter rows (a prepared statement in SQLite; batched in PostgreSQL); resolves to
   * the rows changed by each, in order (for `INSERT … ON CONFLICT DO NOTHING`: 1 = new, 0 = already there).
   */
  runMany(sql: string, rows: ReadonlyArray<readonly SqlValue[]>): Promise<number[]>;
}

export interface Db extends DbExecutor {
  /**
   * All or nothing. `fn` gets an executor bound to the transaction; other callers wait until it ends (SQLite has
   * one connection; PostgreSQL uses a dedicated pooled client), so nothing outside sees a half-written batch.
   * Inside `fn` use only `tx`: a call on the Db itself from inside its own transaction is refused (it would
   * deadlock on SQLite, and would not see the transaction's rows on PostgreSQL); transactions do not nest.
   */
  transaction<T>(fn: (tx: DbExecutor) => Promise<T>): Promise<T>;
  /** Apply pending migrations (cloud/src/storage/migrations.ts) in order, each in its own transaction. */
  migrate(): Promise<void>;
  /** A description for /readyz and logs (file path or host/database, never a password). */
  readonly describe: string;
  /** Health probe for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
