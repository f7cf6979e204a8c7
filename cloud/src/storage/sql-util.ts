/** Small helpers shared by the repositories. */

/** Bind parameters per statement the repositories stay under (SQLite's default limit is 32 766, PostgreSQL's 65 535). */
export const MAX_IN_LIST = 500;

/** `?, ?, ?` for n values. */
export function marks(n: number): string {
  return n === 0 ? '' : '?' + ', ?'.repeat(n - 1);
}

/** Consecutive slices of at most `size` items. */
export function chunks<T>(items: readonly T[], size = MAX_IN_LIST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A JSON column's value (TEXT in both dialects). */
export function parseJson<T>(text: unknown): T {
  return JSON.parse(String(text)) as T;
}

/** 0/1 (or null) column to boolean (or null). */
export function toBool(value: unknown): boolean {
  return value === 1 || value === true || value === '1';
}
