/**
 * The append-only audit log (ARCHITECTURE.md, "Secure by default"): every read of patient data, every alarm action,
 * every sign-in and break-glass. Rows live in `audit_log` (migration 3), whose triggers refuse UPDATE and DELETE;
 * on top of that each row is hash-chained to the previous one, so an edit made around the triggers (a superuser, a
 * copied file) is found by `verify()`:
 *
 *   hash = sha256(prevHash + '\n' + canonicalJson({ seq, at, actor, role, action, wardId, patientId, resource, detail }))
 *
 * with prevHash of the first row = 64 zeros. The chain cannot show a cut-off tail or a wholesale rewrite of
 * everything after some row; `head()` gives the newest (seq, hash) to anchor elsewhere (a log line, a ticket).
 *
 * Appends are serialised twice: an in-process queue (which also groups concurrent appends into one transaction, the
 * reason appends are fast), and the transaction itself, which reads the last row and inserts seq + 1. Two processes
 * on one PostgreSQL that read the same last row both try the same seq; the primary key fails the second, which
 * re-reads and retries, so the chain never forks. Do not await append() inside a db.transaction: the append needs a
 * transaction of its own (SqliteDb refuses the nesting; on PostgreSQL it would wait for the outer one to end).
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditVerifyResult } from '@vigil/contracts';
import type { Db } from '../storage/db.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  actor: string;
  role: string;
  action: string;
  wardId?: string | null;
  patientId?: string | null;
  resource: string;
  /** Context for a reader of the log; never passwords, tokens or secrets (keys naming them are refused). */
  detail?: Record<string, unknown> | null;
}

export interface AuditLog {
  append(entry: AuditInput): Promise<AuditEntry>;
  /** All or nothing, consecutive seqs. */
  appendMany(entries: readonly AuditInput[]): Promise<AuditEntry[]>;
  /** Walk the whole chain (in pages) and report the first broken seq. */
  verify(): Promise<AuditVerifyResult>;
  /** Entries with seq > after (default 0), oldest first, at most limit (default 100, max 1000). */
  list(options?: { after?: number; limit?: number }): Promise<AuditEntry[]>;
  /** The newest (seq, hash): seq 0 and the genesis hash when empty. */
  head(): Promise<{ seq: number; hash: string }>;
}

export interface AuditLogOptions {
  now?: () => number;
  /** Most entries written in one transaction. */
  maxBatch?: number;
  /** Rows read per page by verify(). */
  pageSize?: number;
  /** Retries after a primary-key conflict on seq (another process appended first). */
  maxRetries?: number;
}

/**
 * JSON with object keys sorted (by UTF-16 code units, recursively) and no whitespace: the same value always gives
 * the same text, whatever order its keys were written in. For the JSON values we store this is RFC 8785 (JCS).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof (record as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((record as { toJSON: () => unknown }).toJSON());
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
}

type Chained = Omit<AuditEntry, 'prevHash' | 'hash'>;

export function auditHash(prevHash: string, entry: Chained): string {
  const { seq, at, actor, role, action, wardId, patientId, resource, detail } = entry;
  const body = canonicalJson({ seq, at, actor, role, action, wardId, patientId, resource, detail });
  return createHash('sha256').update(`${prevHash}\n${body}`, 'utf8').digest('hex');
}

/** Keys that would put a credential in the log; matched anywhere in detail, case-insensitively. */
const SECRET_KEY = /passw(or)?d|passphrase|^pwd$|secret|token|authori[sz]ation|cookie|credential/i;

function checkDetail(detail: unknown, path: string): void {
  if (detail === null || typeof detail !== 'object') return;
  for (const [key, value] of Object.entries(detail)) {
    if (SECRET_KEY.test(key)) throw new TypeError(`audit detail may not carry credentials (key ${path}${key})`);
    checkDetail(value, `${path}${key}.`);
  }
}

type Prepared = Omit<Chained, 'seq'>;

function prepare(input: AuditInput, at: number): Prepared {
  for (const field of ['actor', 'role', 'action', 'resource'] as const) {
    if (typeof input[field] !== 'string' || input[field].length === 0) throw new TypeError(`audit entry needs a ${field}`);
  }
  checkDetail(input.detail, '');
  // A JSON round trip first, so what is hashed now is exactly what verify() will read back from the TEXT column.
  const detail = input.detail == null ? null : (JSON.parse(canonicalJson(input.detail)) as Record<string, unknown>);
  return {
    at,
    actor: input.actor,
    role: input.role,
    action: input.action,
    wardId: input.wardId ?? null,
    patientId: input.patientId ?? null,
    resource: input.resource,
    detail,
  };
}

interface AuditRow extends Record<string, unknown> {
  seq: number | string;
  at: number | string;
  actor: string;
  role: string;
  action: string;
  ward_id: string | null;
  patient_id: string | null;
  resource: string;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

const SELECT = 'SELECT seq, at, actor, role, action, ward_id, patient_id, resource, detail, prev_hash, hash FROM audit_log';
const INSERT =
  'INSERT INTO audit_log (seq, at, actor, role, action, ward_id, patient_id, resource, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

function fromRow(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: Number(row.at),
    actor: row.actor,
    role: row.role,
    action: row.action,
    wardId: row.ward_id,
    patientId: row.patient_id,
    resource: row.resource,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** SQLite SQLITE_CONSTRAINT_PRIMARYKEY / _UNIQUE, PostgreSQL unique_violation (23505). */
function isSeqConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

interface Group {
  entries: Prepared[];
  resolve: (entries: AuditEntry[]) => void;
  reject: (err: unknown) => void;
}

export function createAuditLog(db: Db, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? Date.now;
  const maxBatch = options.maxBatch ?? 500;
  const pageSize = options.pageSize ?? 1000;
  const maxRetries = options.maxRetries ?? 8;
  const queue: Group[] = [];
  let draining = false;

  async function write(entries: Prepared[]): Promise<AuditEntry[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction(async (tx) => {
          const last = await tx.get<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
          let seq = last ? Number(last.seq) : 0;
          let prevHash = last ? last.hash : GENESIS_HASH;
          const written: AuditEntry[] = [];
          for (const entry of entries) {
            seq += 1;
            const chained: Chained = { seq, ...entry };
            const hash = auditHash(prevHash, chained);
            written.push({ ...chained, prevHash, hash });
            prevHash = hash;
          }
          await tx.runMany(
            INSERT,
            written.map((e) => [e.seq, e.at, e.actor, e.role, e.action, e.wardId, e.patientId, e.resource, e.detail === null ? null : canonicalJson(e.detail), e.prevHash, e.hash]),
          );
          return written;
        });
      } catch (err) {
        if (!isSeqConflict(err) || attempt >= maxRetries) throw err;
        // Another writer took our seq: back off a little (jittered, so two retrying writers do not collide again).
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
      }
    }
  }

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (queue.length > 0) {
        const batch: Group[] = [];
        let size = 0;
        while (queue.length > 0 && (batch.length === 0 || size + queue[0]!.entries.length <= maxBatch)) {
          const group = queue.shift()!;
          batch.push(group);
          size += group.entries.length;
        }
        try {
          const written = await write(batch.flatMap((g) => g.entries));
          let offset = 0;
          for (const group of batch) {
            group.resolve(written.slice(offset, offset + group.entries.length));
            offset += group.entries.length;
          }
        } catch (err) {
          for (const group of batch) group.reject(err);
        }
      }
    } finally {
      draining = false;
    }
  }

  function enqueue(inputs: readonly AuditInput[]): Promise<AuditEntry[]> {
    const at = now();
    let entries: Prepared[];
    try {
      entries = inputs.map((input) => prepare(input, at));
    } catch (err) {
      return Promise.reject(err);
    }
    if (entries.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      queue.push({ entries, resolve, reject });
      // Start on the next microtask, so appends issued in the same tick share one transaction.
      if (!draining) queueMicrotask(() => void drain());
    });
  }

  return {
    async append(entry) {
      const [written] = await enqueue([entry]);
      return written!;
    },

    appendMany: (entries) => enqueue(entries),

    async verify() {
      let expectedSeq = 1;
      let prevHash = GENESIS_HASH;
      let checked = 0;
      let cursor = Number.MIN_SAFE_INTEGER; // also catches a row inserted with seq ≤ 0
      const broken = (seq: number, reason: string): AuditVerifyResult => ({ ok: false, checked, brokenAt: seq, reason });
      for (;;) {
        const rows = await db.all<AuditRow>(`${SELECT} WHERE seq > ? ORDER BY seq LIMIT ?`, [cursor, pageSize]);
        for (const row of rows) {
          const seq = Number(row.seq);
          if (seq > expectedSeq) return broken(expectedSeq, `seq gap: ${expectedSeq} is missing (next stored seq is ${seq})`);
          if (seq < expectedSeq) return broken(expectedSeq, `seq out of order: found ${seq} where ${expectedSeq} was expected`);
          if (row.prev_hash !== prevHash) return broken(seq, 'prev link: prev_hash differs from the previous entry\u2019s hash');
          let entry: AuditEntry;
          try {
            entry = fromRow(row);
          } catch {
            return broken(seq, 'hash mismatch: detail is not valid JSON');
          }
          if (auditHash(prevHash, entry) !== row.hash) return broken(seq, 'hash mismatch: the entry was changed after it was written');
          prevHash = row.hash;
          cursor = seq;
          expectedSeq += 1;
          checked += 1;
        }
        if (rows.length < pageSize) return { ok: true, checked, brokenAt: null, reason: null };
      }
    },

    async list({ after, limit } = {}) {
      const from = Number.isFinite(after) ? Math.max(0, Math.trunc(after!)) : 0;
      const bounded = Number.isFinite(limit) ? Math.max(1, Math.min(1000, Math.trunc(limit!))) : 100;
      const rows = await db.all<AuditRow>(`${SELECT} WHERE seq > ? ORDER BY seq LIMIT ?`, [from, bounded]);
      return rows.map(fromRow);
    },

    async head() {
      const last = await db.get<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      return last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
    },
  };
}
