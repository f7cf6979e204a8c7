/**
 * Device → stored latency, read from the cloud's own database while the load runs, two ways that bracket the truth:
 *   - `stored_at − t`: the cloud's clock when it began the batch's transaction (the same value its
 *     vigil_cloud_device_to_stored_seconds histogram observes, per sample and exact, not bucketed), minus the
 *     sample's event time (the device's clock at measurement; every process shares this machine's clock). It leaves
 *     out the transaction itself.
 *   - `readable − t`: the first poll of a read-only connection (WAL: reading never blocks the cloud's writer) that
 *     saw the row, i.e. after the commit; it is late by up to one poll interval.
 * Batches commit one at a time (pipeline.ts: `exclusive`), so stored_at never goes backwards in commit order: each
 * poll asks for rows with stored_at ≥ the newest seen and skips the keys already seen at that instant.
 * Also the accounting after the run: every key the devices sent against every key the cloud stored.
 */
import Database from 'better-sqlite3';

export interface StoredRow {
  t: number;
  storedAt: number;
  readableAt: number;
  late: boolean;
}

export class StoredWatcher {
  readonly rows: StoredRow[] = [];
  readonly #db: Database.Database;
  readonly #query: Database.Statement;
  #newest = 0;
  #atNewest = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #polls = 0;

  constructor(
    dbFile: string,
    readonly pollMs: number,
  ) {
    this.#db = new Database(dbFile, { readonly: true, fileMustExist: true });
    this.#query = this.#db.prepare('SELECT device_id AS d, boot_id AS b, seq, t, stored_at AS s, late FROM samples WHERE stored_at >= ?');
  }

  get polls(): number {
    return this.#polls;
  }

  start(): void {
    const tick = () => {
      this.poll();
      this.#timer = setTimeout(tick, this.pollMs);
    };
    this.#timer = setTimeout(tick, this.pollMs);
  }

  /** One read: the rows committed since the last one. */
  poll(): void {
    const rows = this.#query.all(this.#newest) as Array<{ d: string; b: string; seq: number; t: number; s: number; late: number }>;
    const readableAt = Date.now();
    this.#polls++;
    let newest = this.#newest;
    for (const r of rows) if (r.s > newest) newest = r.s;
    const atNewest = newest === this.#newest ? this.#atNewest : new Set<string>();
    for (const r of rows) {
      const key = `${r.d}\u0000${r.b}\u0000${r.seq}`;
      if (r.s === this.#newest && this.#atNewest.has(key)) continue;
      if (r.s === newest) atNewest.add(key);
      this.rows.push({ t: r.t, storedAt: r.s, readableAt, late: r.late === 1 });
    }
    this.#newest = newest;
    this.#atNewest = atNewest;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.poll();
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
  }

  /** Every stored sample key, `deviceId \0 bootId \0 seq`. */
  keys(): string[] {
    return (this.#db.prepare('SELECT device_id AS d, boot_id AS b, seq FROM samples').all() as Array<{ d: string; b: string; seq: number }>).map((r) => `${r.d}\u0000${r.b}\u0000${r.seq}`);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#db.close();
  }
}

export interface SentFile {
  devices: Array<{ deviceId: string; bootId: string; seqs: number[] }>;
}

export interface Accounting {
  sent: number;
  stored: number;
  /** Sent, never stored. */
  lost: number;
  /** Received more than once (the cloud's primary key makes this 0; the mosquitto reference may deliver twice). */
  duplicated: number;
  /** Stored, never sent (a wrong key). */
  unexpected: number;
  /** The first few lost keys, for the report. */
  lostKeys: string[];
}

/** Compare the keys sent (the generator's file) with the keys received (one entry per delivery). */
export function account(sent: SentFile, received: readonly string[]): Accounting {
  const seen = new Map<string, number>();
  for (const k of received) seen.set(k, (seen.get(k) ?? 0) + 1);
  const result: Accounting = { sent: 0, stored: received.length, lost: 0, duplicated: received.length - seen.size, unexpected: 0, lostKeys: [] };
  let matched = 0;
  for (const d of sent.devices) {
    for (const seq of d.seqs) {
      result.sent++;
      if (seen.has(`${d.deviceId}\u0000${d.bootId}\u0000${seq}`)) matched++;
      else if (++result.lost <= 5) result.lostKeys.push(`${d.deviceId}/${seq}`);
    }
  }
  result.unexpected = seen.size - matched;
  return result;
}
