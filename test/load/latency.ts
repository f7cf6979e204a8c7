/**
 * Latency summaries: exact order statistics over every observation (no histogram buckets), rounded to 0.1 ms.
 * Quantile q is the value at rank floor(q × n) of the sorted observations (nearest rank, as the other benchmarks of
 * the project compute it: edge/bench/bench-processes.ts `quantiles`).
 */
import { quantiles } from '../../edge/bench/bench-processes.ts';
import type { LatencyStats } from './results.ts';

const round = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10) / 10);

export function latencyStats(values: readonly number[]): LatencyStats {
  if (values.length === 0) return { n: 0, p50: null, p95: null, p99: null, max: null };
  const [p50, p95, p99, max] = quantiles([...values], [0.5, 0.95, 0.99, 1]);
  return { n: values.length, p50: round(p50), p95: round(p95), p99: round(p99), max: round(max) };
}

/** The measured window in wall-clock ms: observations whose event time falls in [from, to). */
export interface Window {
  from: number;
  to: number;
}

export const inWindow = (w: Window, t: number) => t >= w.from && t < w.to;

/** CPU % of one core a process (this one) used between two process.cpuUsage() readings over `wallMs`. */
export function selfCpuPercent(before: NodeJS.CpuUsage, wallMs: number): number {
  const d = process.cpuUsage(before);
  return Math.round(((d.user + d.system) / 1000 / wallMs) * 1000) / 10;
}
