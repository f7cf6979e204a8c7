/**
 * The durable outbox: every accepted record is written here (SQLite, WAL) before the device is acknowledged, and
 * leaves only when the cloud's broker has acknowledged the batch that carried it. Ids are monotonic, so the backlog
 * drains in arrival order.
 *
 * Durability: WAL with synchronous=NORMAL survives a process crash (kill -9), which is the failure the edge is
 * tested against; synchronous=FULL (VIGIL_EDGE_OUTBOX_FSYNC) adds power-loss safety at a throughput cost.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UplinkRecord } from '@vigil/contracts';

export interface OutboxEntry {
  id: number;
  record: UplinkRecord;
}

export class Outbox {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, number]>;
  readonly #peek: Database.Statement<[number, number]>;
  readonly #delete: Database.Statement<[number, number]>;
  #count: number;

  constructor(file: string, options: { fsync?: boolean } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${options.fsync ? 'FULL' : 'NORMAL'}`);
    this.#db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      record TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
    this.#insert = this.#db.prepare('INSERT INTO outbox (record, created_at) VALUES (?, ?)');
    this.#peek = this.#db.prepare('SELECT id, record FROM outbox WHERE id > ? ORDER BY id LIMIT ?');
    this.#delete = this.#db.prepare('DELETE FROM outbox WHERE id >= ? AND id <= ?');
    this.#count = (this.#db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  /** Durable on return. */
  append(record: UplinkRecord, now: number): number {
    const info = this.#insert.run(JSON.stringify(record), now);
    this.#count++;
    return Number(info.lastInsertRowid);
  }

  /** Oldest records after `afterId`, in order. */
  peek(afterId: number, limit: number): OutboxEntry[] {
    return (this.#peek.all(afterId, limit) as Array<{ id: number; record: string }>).map((row) => ({
      id: row.id,
      record: JSON.parse(row.record) as UplinkRecord,
    }));
  }

  /** Remove an acknowledged, contiguous range of ids. */
  remove(firstId: number, lastId: number): void {
    const info = this.#delete.run(firstId, lastId);
    this.#count -= info.changes;
  }

  get size(): number {
    return this.#count;
  }

  close(): void {
    this.#db.close();
  }
}
