/**
 * edge/bench/gateway-throughput.ts as a user runs it, in its --quick form: it starts mosquitto, aedes, a cloud, an
 * edge gateway, the load generator and the simulator, and prints its tables. Checks that every row is there with
 * positive figures; no time or throughput is asserted (this machine is shared).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..');

/** The cells of the markdown table row that starts with `first`. */
function row(md: string, first: string): string[] {
  const line = md.split('\n').find((l) => l.startsWith(`| ${first} |`));
  expect(line, `row "${first}" in:\n${md}`).toBeDefined();
  return line!.split('|').slice(1, -1).map((c) => c.trim());
}

/** Every number in a cell ("4.0 / 12 / 49" → [4, 12, 49]). */
const numbers = (cell: string) => (cell.match(/\d+(\.\d+)?/g) ?? []).map(Number);

describe('edge gateway benchmark (--quick)', () => {
  it('reports saturation throughput of mosquitto, aedes and the edge, and paced latency', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'edge/bench/gateway-throughput.ts', '--quick'], { cwd: root, timeout: 120_000 });

    for (const broker of ['mosquitto', 'aedes', 'vigil edge']) {
      const [, , samples, ratio, puback, cpu, rss] = row(stdout, broker);
      expect(numbers(samples!)[0]).toBeGreaterThan(0);
      expect(numbers(ratio!)[0]).toBeGreaterThan(0);
      expect(numbers(puback!)).toHaveLength(2);
      expect(cpu).toMatch(new RegExp(`^${broker === 'vigil edge' ? 'edge' : broker} \\d`));
      for (const mb of numbers(rss!)) expect(mb).toBeGreaterThan(0);
    }
    expect(numbers(row(stdout, 'mosquitto')[3]!)[0]).toBe(1);
    // The edge's throughput counts only samples it made durable.
    expect(row(stdout, 'vigil edge')[2]).toMatch(/^\d+ durable \(\d+ acked, \d+ rejected\)$/);

    const [devices, acked, outbox, cloud, ingest, stored] = row(stdout, '50');
    expect(Number(devices)).toBe(50);
    expect(Number(acked)).toBeGreaterThan(0);
    for (const cell of [outbox!, cloud!]) {
      const q = numbers(cell);
      expect(q).toHaveLength(3);
      for (const v of q) expect(v).toBeGreaterThanOrEqual(0);
      expect(q[0]!).toBeLessThanOrEqual(q[2]!);
    }
    expect(numbers(ingest!)).toHaveLength(1);
    expect(Number(stored)).toBeGreaterThan(0);
  });
});
