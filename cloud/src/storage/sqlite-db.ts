/**
 * The embedded Db: SQLite through better-sqlite3 (WAL). better-sqlite3 is synchronous and has one connection, so an
 * async transaction (`fn` awaits between statements) would let any other caller's statement run inside it: a REST
 * read could see half a batch, or a write could join the batch's transaction. A FIFO lock prevents both: while a
 * transaction is open (or queued), every other call on this Db waits its turn in arrival order.
 */
import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Db, Row, SqlValue } from './db.ts';
import { migrate, type ScriptExecutor } from './migrations.ts';

/** Prepared statements kept, by SQL text (the oldest is dropped beyond this; repositories use a few dozen). */
const STATEMENT_CACHE_SIZE = 500;
/** ms a statement waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

export function openSqliteDb(file: string): Db {
  return new SqliteDb(file);
}

interface TxMark {
  open: boolean;
}

/** Synchronous statement primitives over one connection, with prepared statements cached by SQL text. */
class Connection {
  readonly raw: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.raw = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    this.raw.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash (it may be lost on power loss only).
    this.raw.pragma('synchronous = NORMAL');
    this.raw.pragma('foreign_keys = ON');
    this.raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }

  #statement(sql: string): Database.Statement {
    let stmt = this.#statements.get(sql);
    if (stmt) return stmt;
    stmt = this.raw.prepare(sql);
    if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value as string);
    this.#statements.set(sql, stmt);
    return stmt;
  }

  all<T>(sql: string, params: readonly SqlValue[]): T[] {
    return this.#statement(sql).all(...params) as T[];
  }
  get<T>(sql: string, params: readonly SqlValue[]): T | undefined {
    return this.#statement(sql).get(...params) as T | undefined;
  }
  run(sql: string, params: readonly SqlValue[]): number {
    return this.#statement(sql).run(...params).changes;
  }
  runMany(sql: string, rows: ReadonlyArray<readonly SqlValue[]>): number[] {
    const stmt = this.#statement(sql);
    const each = () => rows.map((row) => stmt.run(...row).changes);
    // Outside a transaction, one implicit transaction for all rows: atomic, and one WAL commit instead of n.
    return this.raw.inTransaction ? each() : this.raw.transaction(each)();
  }
  exec(sql: string): void {
    this.raw.exec(sql);
  }
}

/** Settle a synchronous call as a promise (a throw becomes a rejection). */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  readonly describe: string;
  readonly #conn: Connection;
  /** Tail of the FIFO queue, and how many calls are queued or running under the lock. */
  #tail: Promise<unknown> = Promise.resolve();
  #held = 0;
  /** Marks the async context of a running transaction, to refuse (instead of deadlock on) calls on the Db from it. */
  readonly #context = new AsyncLocalStorage<TxMark>();

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    this.describe = file === ':memory:' ? 'sqlite::memory:' : `sqlite:${resolve(file)}`;
    this.#conn = new Connection(file);
  }

  all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.#locked(() => this.#conn.all<T>(sql, params));
  }
  get<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.#locked(() => this.#conn.get<T>(sql, params));
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#locked(() => this.#conn.run(sql, params));
  }
  runMany(sql: string, rows: ReadonlyArray<readonly SqlValue[]>): Promise<number[]> {
    return this.#locked(() => this.#conn.runMany(sql, rows));
  }

  /** Run `work` now when nobody holds the lock, else after everything queued before it. */
  #locked<T>(work: () => T): Promise<T> {
    if (this.#context.getStore()?.open) {
      return Promise.reject(new Error('SqliteDb: called on the Db from inside its own transaction (it would deadlock); use the transaction executor'));
    }
    if (this.#held === 0) return settle(work);
    return this.#enqueue(async () => work());
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    this.#held += 1;
    const run = this.#tail.then(task);
    const release = () => {
      this.#held -= 1;
    };
    this.#tail = run.then(release, release);
    return run;
  }

  #executor(mark: TxMark): ScriptExecutor {
    const conn = this.#conn;
    const bound = <T>(work: () => T): Promise<T> =>
      mark.open ? settle(work) : Promise.reject(new Error('SqliteDb: transaction executor used after its transaction ended'));
    return {
      dialect: 'sqlite',
      all: <T extends Row = Row>(sql: string, params: readonly SqlValue[] = []) => bound(() => conn.all<T>(sql, params)),
      get: <T extends Row = Row>(sql: string, params: readonly SqlValue[] = []) => bound(() => conn.get<T>(sql, params)),
      run: (sql: string, params: readonly SqlValue[] = []) => bound(() => conn.run(sql, params)),
      runMany: (sql: string, rows: ReadonlyArray<readonly SqlValue[]>) => bound(() => conn.runMany(sql, rows)),
      exec: (sql: string) => bound(() => conn.exec(sql)),
    };
  }

  /** The executor passed to `fn` also has `exec(script)` (ScriptExecutor), used by migrations. */
  transaction<T>(fn: (tx: ScriptExecutor) => Promise<T>): Promise<T> {
    if (this.#context.getStore()?.open) {
      return Promise.reject(new Error('SqliteDb: nested transaction; use the executor of the open transaction'));
    }
    return this.#enqueue(async () => {
      const raw = this.#conn.raw;
      const mark: TxMark = { open: true };
      // IMMEDIATE: take the write lock at BEGIN, so that a writer in another process waits (busy_timeout) there and
      // not half-way through the batch.
      raw.exec('BEGIN IMMEDIATE');
      try {
        const result = await this.#context.run(mark, () => fn(this.#executor(mark)));
        raw.exec('COMMIT');
        return result;
      } catch (err) {
        if (raw.inTransaction) raw.exec('ROLLBACK');
        throw err;
      } finally {
        mark.open = false;
      }
    });
  }

  async migrate(): Promise<void> {
    await migrate(this);
  }

  async ping(): Promise<boolean> {
    try {
      // Not under the lock: it reads no data, and /readyz must answer during a long batch.
      return this.#conn.get('SELECT 1 AS ok', []) !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#tail;
    if (this.#conn.raw.open) this.#conn.raw.close();
  }
}
