/**
 * The machine the figures were taken on: CPU model and cores, memory, Node, mosquitto's version, and the TensorFlow.js
 * backend the cloud would serve the LSTM with (models/src/runtime/backend.ts: tfjs-node when installed, else wasm,
 * else cpu), found by resolving the packages rather than loading tfjs into this process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import type { Machine } from './results.ts';
import { MOSQUITTO } from './reference-level.ts';

function cpuModel(): string {
  try {
    const model = /Model name:\s*(.+)/.exec(execFileSync('lscpu').toString())?.[1]?.trim();
    if (model) return model;
  } catch {
    /* no lscpu: fall back to /proc/cpuinfo */
  }
  return /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
}

function resolvable(pkg: string): boolean {
  try {
    import.meta.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

export function tfBackend(): string {
  if (resolvable('@tensorflow/tfjs-node')) return 'tensorflow (@tensorflow/tfjs-node)';
  if (resolvable('@tensorflow/tfjs-backend-wasm')) return 'wasm (@tensorflow/tfjs-node not installed)';
  return 'cpu';
}

export function describeMachine(): Machine {
  // `mosquitto -h` prints its version with the usage and exits with status 3.
  const usage = spawnSync(MOSQUITTO, ['-h']).stdout?.toString() ?? '';
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    mosquitto: /mosquitto version (\S+)/.exec(usage)?.[1] ?? 'not installed',
    tfBackend: tfBackend(),
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}
