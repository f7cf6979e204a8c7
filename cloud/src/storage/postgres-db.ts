/**
 * The scale-out Db: PostgreSQL through pg's Pool.
 *  - `?` placeholders become $1, $2, … (not inside quoted literals, quoted identifiers, comments or dollar quotes).
 *  - BIGINT (int8) and NUMERIC come back as JS numbers: epoch ms, counters and avg() fit in 2^53. The parsers are set
 *    on this pool only (`types` option), never on pg's global registry, so other pg users in the process see the
 *    driver's defaults.
 *  - A transaction runs on one dedicated pooled client (BEGIN … COMMIT / ROLLBACK); other callers use other clients
 *    and, by MVCC, never see its uncommitted rows.
 *  - runMany rewrites a single-row `INSERT … VALUES (…) [ON CONFLICT (key) DO …]` into multi-row VALUES chunks and
 *    learns which rows changed from `RETURNING key`; anything else runs row by row on one client.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, Row, SqlValue } from './db.ts';
import { migrate, type ScriptExecutor } from './migrations.ts';
import { planInsertBatch, toNumberedPlaceholders, type InsertBatchPlan } from './postgres-sql.ts';

export interface PostgresDbOptions {
  /** Pooled connections (default 10). A batch transaction holds one for its duration. */
  poolSize?: number;
  /** Rows per multi-row INSERT of runMany (default 1000; cloud/bench/storage.ts measures the choice). */
  insertChunkRows?: number;
}

/** PostgreSQL allows at most 65 535 bind parameters per statement. */
const MAX_PARAMS = 65_535;
/** Rows per multi-row INSERT by default (measured: larger chunks gain little and build bigger messages). */
const DEFAULT_CHUNK_ROWS = 1000;
/** ms to wait for a pooled connection before failing (a stuck pool should surface, not hang ingest forever). */
const CONNECT_TIMEOUT_MS = 10_000;
/** ms a readiness probe may take. */
const PING_TIMEOUT_MS = 3000;

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const toNumber = (value: string) => Number(value);

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if ((oid === INT8_OID || oid === NUMERIC_OID) && format !== 'binary') return toNumber;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** host:port/database of a connection URL, without user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'postgres';
  }
}

export async function openPostgresDb(url: string, options: PostgresDbOptions = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client's error (server restart, network) must not crash the process: the pool drops that client, and
  // the next query fails or reconnects on its own.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`PostgreSQL at ${describePostgresUrl(url)} is not reachable: ${(err as Error).message}`);
  }
  return new PostgresDb(pool, describePostgresUrl(url), options.insertChunkRows ?? DEFAULT_CHUNK_ROWS);
}

/** Something pg can query: the pool or one client. */
type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

interface TxMark {
  open: boolean;
}

const placeholderCache = new Map<string, string>();
const planCache = new Map<string, InsertBatchPlan | null>();
const CACHE_LIMIT = 500;

function remember<V>(cache: Map<string, V>, key: string, make: () => V): V {
  if (cache.has(key)) return cache.get(key) as V;
  const value = make();
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

const numbered = (sql: string) => remember(placeholderCache, sql, () => toNumberedPlaceholders(sql));

async function query<T extends Row>(on: Queryable, sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult<T>> {
  return (on as pg.Pool).query<T>(numbered(sql), params as SqlValue[]);
}

/**
 * Per-row changes of `sql` run once per row, on one client that is inside a transaction (the caller's or ours).
 */
async function runManyOn(client: pg.PoolClient, sql: string, rows: ReadonlyArray<readonly SqlValue[]>, chunkRows: number): Promise<number[]> {
  const plan = remember(planCache, sql, () => planInsertBatch(sql));
  if (!plan || rows.length < 2) {
    const out: number[] = [];
    for (const row of rows) out.push((await query(client, sql, row)).rowCount ?? 0);
    return out;
  }
  const out = new Array<number>(rows.length).fill(0);
  const chunkLimit = Math.max(1, Math.min(chunkRows, Math.floor(MAX_PARAMS / Math.max(1, plan.paramsPerRow))));
  let start = 0;
  while (start < rows.length) {
    // A chunk never holds one conflict key twice: PostgreSQL refuses that for DO UPDATE, and for DO NOTHING the
    // per-row answer would be ambiguous. Splitting there keeps the sequential (row by row) semantics.
    const keys = new Map<string, number>();
    let end = start;
    while (end < rows.length && end - start < chunkLimit) {
      const row = rows[end]!;
      if (row.length !== plan.paramsPerRow) throw new Error(`runMany: row ${end} has ${row.length} values, the statement takes ${plan.paramsPerRow}`);
      if (plan.keyIndexes) {
        const key = keyOf(plan.keyIndexes.map((i) => row[i]));
        if (keys.has(key)) break;
        keys.set(key, end);
      }
      end += 1;
    }
    const chunk = rows.slice(start, end);
    const text = plan.sqlFor(chunk.length);
    // A full chunk runs as a named (server-side prepared) statement: parsed and planned once per connection, which
    // measured ~1.5x faster; partial chunks (the tail, splits at duplicate keys) stay unnamed so that a connection
    // does not accumulate a prepared statement per chunk size.
    const name = chunk.length === chunkLimit ? statementName(text) : undefined;
    const result = await client.query<Row>({ name, text, values: chunk.flat() as SqlValue[] });
    if (!plan.keyColumns) {
      // A plain INSERT: all rows went in, or the statement failed.
      for (let i = start; i < end; i++) out[i] = 1;
    } else {
      for (const r of result.rows) {
        const at = keys.get(keyOf(plan.keyColumns.map((c) => r[c] as SqlValue)));
        if (at === undefined) throw new Error(`runMany: a returned key matches no input row (key columns given values of another type?): ${sql}`);
        out[at] = 1;
      }
    }
    start = end;
  }
  return out;
}

const names = new Map<string, string>();
/** A stable name per statement text (pg keeps prepared statements per connection, by name). */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `vigil_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size > 200) names.delete(names.keys().next().value as string);
    names.set(text, name);
  }
  return name;
}

function keyOf(values: readonly unknown[]): string {
  return values.map((v) => (v === null || v === undefined ? '\u0000null' : Buffer.isBuffer(v) ? v.toString('hex') : String(v))).join('\u0001');
}

function executor(on: Queryable, mark: TxMark | null, chunkRows: number): ScriptExecutor {
  const guard = () => {
    if (mark && !mark.open) throw new Error('PostgresDb: transaction executor used after its transaction ended');
  };
  return {
    dialect: 'postgres',
    async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      guard();
      return (await query<T>(on, sql, params)).rows;
    },
    async get<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
      guard();
      return (await query<T>(on, sql, params)).rows[0];
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      guard();
      return (await query(on, sql, params)).rowCount ?? 0;
    },
    async runMany(sql: string, rows: ReadonlyArray<readonly SqlValue[]>) {
      guard();
      return runManyOn(on as pg.PoolClient, sql, rows, chunkRows);
    },
    async exec(sql: string) {
      guard();
      await (on as pg.Pool).query(sql);
    },
  };
}

class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  readonly describe: string;
  readonly #pool: pg.Pool;
  readonly #direct: ScriptExecutor;
  readonly #chunkRows: number;
  /** Marks a running transaction's async context: a call on the Db from inside it is refused, as on SQLite. */
  readonly #context = new AsyncLocalStorage<TxMark>();

  constructor(pool: pg.Pool, describe: string, chunkRows: number) {
    this.#pool = pool;
    this.describe = describe;
    this.#chunkRows = chunkRows;
    this.#direct = executor(pool, null, chunkRows);
  }

  #outside(): void {
    if (this.#context.getStore()?.open) {
      throw new Error('PostgresDb: called on the Db from inside its own transaction (it would not see the transaction\u2019s rows, and deadlocks on SQLite); use the transaction executor');
    }
  }

  async all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.#outside();
    return this.#direct.all<T>(sql, params);
  }
  async get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    this.#outside();
    return this.#direct.get<T>(sql, params);
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    this.#outside();
    return this.#direct.run(sql, params);
  }
  /** Outside a transaction, all rows go in one transaction of their own (atomic, as on SQLite). */
  async runMany(sql: string, rows: ReadonlyArray<readonly SqlValue[]>): Promise<number[]> {
    this.#outside();
    if (rows.length === 0) return [];
    return this.transaction((tx) => tx.runMany(sql, rows));
  }

  /** The executor passed to `fn` also has `exec(script)` (ScriptExecutor), used by migrations. */
  async transaction<T>(fn: (tx: ScriptExecutor) => Promise<T>): Promise<T> {
    this.#outside();
    const client = await this.#pool.connect();
    const mark: TxMark = { open: true };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await this.#context.run(mark, () => fn(executor(client, mark, this.#chunkRows)));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error; // the connection is unusable: destroy it instead of returning it
        }
        throw err;
      }
    } finally {
      mark.open = false;
      client.release(broken);
    }
  }

  async migrate(): Promise<void> {
    await migrate(this);
  }

  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timeout')), PING_TIMEOUT_MS);
      });
      const result = await Promise.race([this.#pool.query('SELECT 1 AS ok'), timeout]);
      return result.rows.length === 1;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
