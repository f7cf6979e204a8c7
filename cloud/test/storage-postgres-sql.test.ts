import { describe, expect, it } from 'vitest';
import { planInsertBatch, toNumberedPlaceholders } from '../src/storage/postgres-sql.ts';

describe('PostgreSQL SQL rewriting', () => {
  it('numbers ? placeholders outside literals, identifiers, comments and dollar quotes', () => {
    expect(toNumberedPlaceholders(`SELECT ?, '?', 'it''s ?', "a?b", $$?$$, $x$ ? $x$ -- ?\n, ? /* ? */ , ?`)).toBe(
      `SELECT $1, '?', 'it''s ?', "a?b", $$?$$, $x$ ? $x$ -- ?\n, $2 /* ? */ , $3`,
    );
    expect(toNumberedPlaceholders('SELECT 1')).toBe('SELECT 1');
  });

  it('plans multi-row inserts that return the conflict key', () => {
    const plan = planInsertBatch(`INSERT INTO t (a, b, "end", c) VALUES (?, ?, ?, 'x?') ON CONFLICT (a, "end") DO NOTHING`)!;
    expect(plan.paramsPerRow).toBe(3);
    expect(plan.keyIndexes).toEqual([0, 2]);
    expect(plan.sqlFor(2)).toBe(`INSERT INTO t (a, b, "end", c) VALUES ($1, $2, $3, 'x?'), ($4, $5, $6, 'x?') ON CONFLICT (a, "end") DO NOTHING RETURNING a AS k0, "end" AS k1`);
    const plain = planInsertBatch('INSERT INTO t (a, b) VALUES (?, ?)')!;
    expect(plain.keyColumns).toBeNull();
    expect(plain.sqlFor(2)).toBe('INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)');
    expect(planInsertBatch('INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b WHERE t.b < ?')).toBeNull();
    expect(planInsertBatch('INSERT INTO t (a, b) VALUES (?, ?) RETURNING a')).toBeNull();
    expect(planInsertBatch('INSERT INTO t (a, b) VALUES (?, lower(?))')).toBeNull();
    expect(planInsertBatch('INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING')).toBeNull();
    expect(planInsertBatch('UPDATE t SET a = ?')).toBeNull();
  });
});
