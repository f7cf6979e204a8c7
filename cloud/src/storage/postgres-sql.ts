/**
 * SQL text rewriting for the PostgreSQL Db: `?` placeholders to `$n`, and single-row INSERTs to multi-row ones.
 * Pure functions, tested without a server.
 */

/** Offsets of the `?` placeholders outside quoted literals and identifiers, comments and dollar-quoted strings. */
export function placeholderOffsets(sql: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // '' (or "") inside is an escaped quote: the scan leaves and re-enters the literal, which is the same thing.
      const close = sql.indexOf(c, i + 1);
      i = close === -1 ? sql.length : close + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const close = sql.indexOf('\n', i + 2);
      i = close === -1 ? sql.length : close + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? sql.length : close + 2;
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? sql.length : close + tag[0].length;
      } else {
        i += 1;
      }
    } else {
      if (c === '?') out.push(i);
      i += 1;
    }
  }
  return out;
}

/** `?` → `$1`, `$2`, … in order (PostgreSQL's placeholders). */
export function toNumberedPlaceholders(sql: string, first = 1): string {
  const offsets = placeholderOffsets(sql);
  if (offsets.length === 0) return sql;
  let out = '';
  let last = 0;
  offsets.forEach((at, k) => {
    out += `${sql.slice(last, at)}$${first + k}`;
    last = at + 1;
  });
  return out + sql.slice(last);
}

/** How to run one single-row INSERT for many rows as multi-row INSERTs. */
export interface InsertBatchPlan {
  /** `?` per row. */
  paramsPerRow: number;
  /** Conflict-target columns, returned to learn which rows changed; null for a plain INSERT (every row changes). */
  keyColumns: string[] | null;
  /** Their positions among a row's parameters. */
  keyIndexes: number[] | null;
  /** The statement for `rows` rows, with $n placeholders (row-major), returning the key columns as k0, k1, …. */
  sqlFor(rows: number): string;
}

const INSERT = /^\s*INSERT\s+INTO\s+([A-Za-z_"][\w".]*)\s*\(([^()]*)\)\s*VALUES\s*\(([^()]*)\)\s*([\s\S]*?)\s*;?\s*$/i;
const CONFLICT = /^ON\s+CONFLICT\s*\(([^()]*)\)\s*DO\s+(NOTHING|UPDATE\s+SET\s[\s\S]*)$/i;

/** Split on commas outside quotes (for column lists and simple VALUES tuples, which have no parentheses). */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let depth = '';
  let current = '';
  for (const c of text) {
    if (depth) {
      if (c === depth) depth = '';
    } else if (c === "'" || c === '"') {
      depth = c;
    } else if (c === ',') {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current.trim());
  return parts;
}

const unquote = (name: string) => (name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name.toLowerCase());

/**
 * A plan for `INSERT INTO t (cols) VALUES (…) [ON CONFLICT (key) DO NOTHING | DO UPDATE SET …]`, or null when the
 * statement has another shape (a RETURNING clause, a conflict target without columns, an expression in a key
 * column's slot, …): then the caller runs it row by row.
 */
export function planInsertBatch(sql: string): InsertBatchPlan | null {
  const m = INSERT.exec(sql);
  if (!m) return null;
  const [, table, columnList, tuple, rest] = m as unknown as [string, string, string, string, string];
  if (/\bRETURNING\b/i.test(rest) || /\bRETURNING\b/i.test(tuple)) return null;
  const columns = splitList(columnList).map(unquote);
  const slots = splitList(tuple);
  if (slots.length !== columns.length) return null;
  const paramsPerRow = placeholderOffsets(tuple).length;
  if (placeholderOffsets(rest).length > 0) return null; // parameters after VALUES would be numbered per statement

  let keyColumns: string[] | null = null;
  let keyIndexes: number[] | null = null;
  let keyTargets: string[] = [];
  if (rest) {
    const conflict = CONFLICT.exec(rest);
    if (!conflict) return null;
    keyTargets = splitList(conflict[1]!);
    keyColumns = keyTargets.map((_, k) => `k${k}`);
    keyIndexes = [];
    for (const target of keyTargets) {
      const col = columns.indexOf(unquote(target));
      if (col === -1 || slots[col] !== '?') return null;
      // The parameter index of that slot: the `?` count in the slots before it.
      keyIndexes.push(slots.slice(0, col).reduce((n, s) => n + placeholderOffsets(s).length, 0));
    }
  }
  const returning = keyTargets.length > 0 ? ` RETURNING ${keyTargets.map((t, k) => `${t} AS k${k}`).join(', ')}` : '';
  const head = `INSERT INTO ${table} (${columnList}) VALUES `;
  const tail = `${rest ? ` ${rest}` : ''}${returning}`;
  const offsets = placeholderOffsets(tuple);
  const pieces = [-1, ...offsets].map((at, k) => tuple.slice(at + 1, offsets[k] ?? tuple.length));
  const cache = new Map<number, string>();
  return {
    paramsPerRow,
    keyColumns,
    keyIndexes,
    sqlFor(rows: number): string {
      const hit = cache.get(rows);
      if (hit) return hit;
      const values: string[] = [];
      for (let r = 0; r < rows; r++) {
        let t = pieces[0]!;
        for (let j = 1; j < pieces.length; j++) t += `$${r * paramsPerRow + j}${pieces[j]}`;
        values.push(`(${t})`);
      }
      const text = head + values.join(', ') + tail;
      if (cache.size >= 4) cache.delete(cache.keys().next().value as number);
      cache.set(rows, text);
      return text;
    },
  };
}
