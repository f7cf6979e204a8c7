/**
 * The durable outbox: every accepted record is written here (SQLite, WAL) before the device is acknowledged, and
 * leaves only when the cloud's broker has acknowledged the batch that carried it. Ids are monotonic, so the backlog
 * drains in arrival order.
 *
 * Group commit: records are queued and committed together, one transaction per turn of the event loop (or per
 * `groupMax` records), and each record's `done` runs only after that commit. One transaction per message costs a WAL
 * frame and a lock cycle each; at 2,000 messages/s that alone was the edge's p99 (session 1: 109 ms at 2,000 devices).
 *
 * Durability: WAL with synchronous=NORMAL survives a process crash (kill -9), the failure the edge is tested
 * against; `fsync: true` (VIGIL_EDGE_OUTBOX_FSYNC) adds power-loss safety at a throughput cost.
 *
 * Bound (policy, documented in docs/architecture.md): at most `maxRecords` records. When a commit takes the outbox
 * over it, the OLDEST records are dropped (alarm records excepted) — the backlog is the least useful data for live
 * care, and the recorder keeps the full device stream on disk — and `onDrop` reports how many, for the metric, the log and the OUTBOX_FULL
 * technical alarm. A failed commit (e.g. disk full) acknowledges nothing: devices keep and resend their messages.
 * Records the gateway made itself (alarm transitions, windows, summaries: enqueued without `done`) have nobody to
 * resend them, so a failed commit keeps them in memory (at most `retryMax`, alarms never dropped) and commits them
 * first once a commit succeeds again; `failure` says since when commits fail (health, OUTBOX_FULL alarm).
 * Found by test/faults/edge-disk-full.test.ts: alarm records raised while the disk was full were lost.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UplinkRecord } from '@vigil/contracts';

export interface OutboxEntry {
  id: number;
  record: UplinkRecord;
}

/** A record as stored: its JSON text and when it entered the outbox (the uplink forwards the text as is). */
export interface RawOutboxEntry {
  id: number;
  json: string;
  createdAt: number;
}

export interface OutboxOptions {
  fsync?: boolean;
  /** Largest number of records kept; oldest dropped beyond it (default 2,000,000: ~14 h of a 40-bed ward at 1 Hz). */
  maxRecords?: number;
  /** Records committed per transaction at most (a bigger queue commits in several). */
  groupMax?: number;
  /** Called after a commit dropped the `dropped` oldest records to respect the bound. */
  onDrop?: (dropped: number) => void;
  /** Called after each commit with the number of records and its duration (metrics). */
  onCommit?: (records: number, ms: number) => void;
  /** Called when a commit fails (disk full …), with the records it refused; `first` on the first of a streak. */
  onFailure?: (err: Error, records: number, first: boolean) => void;
  /** Called on the first successful commit after failures, with how long they lasted. */
  onRecover?: (failedMs: number) => void;
  /** Gateway-made records kept in memory across failed commits, at most (default 100,000: ~3 min of a 40-bed ward's windows and summaries). */
  retryMax?: number;
}

/** Retry the records kept from a failed commit this often when no new record triggers a commit, ms. */
const RETRY_MS = 1000;
const ALARM_PREFIX = '{"type":"alarm"';

type Done = (err: Error | null) => void;

export class Outbox {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, number]>;
  readonly #peek: Database.Statement<[number, number, number]>;
  readonly #peekRaw: Database.Statement<[number, number, number]>;
  readonly #delete: Database.Statement<[number, number]>;
  readonly #dropOldest: Database.Statement<[number]>;
  readonly #commitGroup: (rows: Array<[string, number]>) => number;
  readonly #options: Required<Omit<OutboxOptions, 'onDrop' | 'onCommit' | 'onFailure' | 'onRecover'>> & Pick<OutboxOptions, 'onDrop' | 'onCommit' | 'onFailure' | 'onRecover'>;
  #count: number;
  #maxId: number;
  #queue: Array<{ row: [string, number]; done: Done | undefined }> = [];
  #scheduled = false;
  #closed = false;
  /** Gateway-made rows a failed commit refused, committed first next time. */
  #retry: Array<[string, number]> = [];
  #retryTimer: NodeJS.Timeout | undefined;
  #failure: { message: string; since: number } | undefined;

  constructor(file: string, options: OutboxOptions = {}) {
    this.#options = { fsync: false, maxRecords: 2_000_000, groupMax: 2_000, retryMax: 100_000, ...options };
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${this.#options.fsync ? 'FULL' : 'NORMAL'}`);
    this.#db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      record TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
    this.#insert = this.#db.prepare('INSERT INTO outbox (record, created_at) VALUES (?, ?)');
    this.#peek = this.#db.prepare('SELECT id, record FROM outbox WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
    this.#peekRaw = this.#db.prepare('SELECT id, record AS json, created_at AS createdAt FROM outbox WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
    this.#delete = this.#db.prepare('DELETE FROM outbox WHERE id >= ? AND id <= ?');
    // Alarm records are never dropped: they are few, and an alarm's history must reach the cloud.
    this.#dropOldest = this.#db.prepare(`DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE record NOT LIKE '{"type":"alarm"%' ORDER BY id LIMIT ?)`);
    this.#commitGroup = this.#db.transaction((rows: Array<[string, number]>) => {
      let last = 0;
      for (const row of rows) last = Number(this.#insert.run(row[0], row[1]).lastInsertRowid);
      return last;
    });
    const stats = this.#db.prepare('SELECT count(*) AS n, coalesce(max(id), 0) AS maxId FROM outbox').get() as { n: number; maxId: number };
    this.#count = stats.n;
    this.#maxId = stats.maxId;
  }

  /** Queue a record for the next group commit; `done` runs once it is durable, or with the commit's error. */
  enqueue(record: UplinkRecord, now: number, done?: Done): void {
    if (this.#closed) {
      done?.(new Error('outbox closed'));
      return;
    }
    this.#queue.push({ row: [JSON.stringify(record), now], done });
    if (this.#queue.length >= this.#options.groupMax) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Durable on return (tests, tools): enqueue and commit at once; returns the record's id. */
  append(record: UplinkRecord, now: number): number {
    let failure: Error | null = null;
    this.enqueue(record, now, (err) => (failure = err));
    this.flush();
    if (failure) throw failure;
    return this.#maxId;
  }

  /** Commit everything queued, in one transaction per `groupMax` records, then call back. */
  flush(): void {
    this.#scheduled = false;
    if (this.#retry.length > 0) {
      this.#queue.unshift(...this.#retry.map((row) => ({ row, done: undefined })));
      this.#retry = [];
    }
    while (this.#queue.length > 0) {
      const group = this.#queue.splice(0, this.#options.groupMax);
      const started = performance.now();
      let failure: Error | null = null;
      try {
        this.#maxId = this.#commitGroup(group.map((g) => g.row));
        this.#count += group.length;
      } catch (err) {
        failure = err as Error;
      }
      this.#options.onCommit?.(failure ? 0 : group.length, performance.now() - started);
      if (failure) this.#failed(failure, group);
      else {
        if (this.#failure) {
          this.#options.onRecover?.(Date.now() - this.#failure.since);
          this.#failure = undefined;
        }
        this.#enforceBound();
      }
      for (const g of group) g.done?.(failure);
    }
  }

  /** A failed commit: device records are refused (their `done` says so); the gateway's own are kept to retry. */
  #failed(err: Error, group: Array<{ row: [string, number]; done: Done | undefined }>): void {
    const first = this.#failure === undefined;
    this.#failure ??= { message: err.message, since: Date.now() };
    for (const g of group) if (!g.done) this.#retry.push(g.row);
    const excess = this.#retry.length - this.#options.retryMax;
    if (excess > 0) {
      let dropped = 0;
      this.#retry = this.#retry.filter((row) => dropped >= excess || row[0].startsWith(ALARM_PREFIX) || (dropped++, false));
      this.#options.onDrop?.(dropped);
    }
    this.#options.onFailure?.(err, group.length, first);
    if (this.#retry.length > 0 && !this.#retryTimer && !this.#closed) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        if (!this.#closed && this.#retry.length > 0) this.flush();
      }, RETRY_MS);
      this.#retryTimer.unref();
    }
  }

  #enforceBound(): void {
    const excess = this.#count - this.#options.maxRecords;
    if (excess <= 0) return;
    const info = this.#dropOldest.run(excess);
    this.#count -= info.changes;
    this.#options.onDrop?.(info.changes);
  }

  /** Records with `afterId < id <= upToId`, oldest first. */
  peek(afterId: number, limit: number, upToId = Number.MAX_SAFE_INTEGER): OutboxEntry[] {
    return (this.#peek.all(afterId, upToId, limit) as Array<{ id: number; record: string }>).map((row) => ({
      id: row.id,
      record: JSON.parse(row.record) as UplinkRecord,
    }));
  }

  /** As `peek`, without parsing: the JSON text of each record (the uplink's hot path). */
  peekRaw(afterId: number, limit: number, upToId = Number.MAX_SAFE_INTEGER): RawOutboxEntry[] {
    return this.#peekRaw.all(afterId, upToId, limit) as RawOutboxEntry[];
  }

  /** Remove an acknowledged, contiguous range of ids. */
  remove(firstId: number, lastId: number): void {
    const info = this.#delete.run(firstId, lastId);
    this.#count -= info.changes;
  }

  get size(): number {
    return this.#count;
  }

  /** Highest id committed so far (0 when the outbox has never held a record). */
  get maxId(): number {
    return this.#maxId;
  }

  get pending(): number {
    return this.#queue.length;
  }

  get bound(): number {
    return this.#options.maxRecords;
  }

  /** Set while commits fail (disk full …): the first error and since when (ms); undefined when healthy. */
  get failure(): { message: string; since: number } | undefined {
    return this.#failure;
  }

  /** Gateway-made records waiting in memory for a commit to succeed again. */
  get retrying(): number {
    return this.#retry.length;
  }

  /** Commit what is queued, then close. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#db.close();
  }
}
