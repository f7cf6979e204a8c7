/**
 * Child processes for the gateway benchmark: start pinned to a core, read their JSON-line events, measure their CPU
 * and peak memory from /proc, and stop them all (and remove temporary directories) whatever happens.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface BenchEvent {
  event: string;
  [key: string]: unknown;
}

export interface Proc {
  name: string;
  /** Cores it is pinned to (taskset list), or 'any'. */
  cores: string;
  child: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
  /** Resolve with the next event of that name the child prints (a JSON line on stdout). */
  next(event: string, timeoutMs?: number): Promise<BenchEvent>;
  /** The last lines the child wrote to stderr (for error messages). */
  stderrTail(): string;
}

export function startProcess(name: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cores?: string; cwd?: string } = {}): Proc {
  const spawnOptions = { env: options.env ?? process.env, cwd: options.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
  // taskset execs the command, so the pid we get is the pinned process itself.
  const child = options.cores ? spawn('taskset', ['-c', options.cores, command, ...args], spawnOptions) : spawn(command, args, spawnOptions);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const queued: BenchEvent[] = [];
  const waiters: Array<{ event: string; resolve: (e: BenchEvent) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const e = JSON.parse(line) as BenchEvent;
    const w = waiters.findIndex((x) => x.event === e.event);
    if (w >= 0) waiters.splice(w, 1)[0]!.resolve(e);
    else queued.push(e);
  });
  return {
    name,
    cores: options.cores ?? 'any',
    child,
    pid: child.pid!,
    exited,
    next(event, timeoutMs = 120_000) {
      const q = queued.findIndex((e) => e.event === event);
      if (q >= 0) return Promise.resolve(queued.splice(q, 1)[0]!);
      return new Promise<BenchEvent>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no "${event}" within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before "${event}"; stderr: ${stderr}`));
        });
        waiters.push({ event, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    stderrTail: () => stderr,
  };
}

/** CPU seconds (user + system) a live process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may contain spaces): utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Peak resident set size (VmHWM), MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** CPU seconds the whole machine spent busy so far (all cores; everything but idle and iowait), from /proc/stat. */
export function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const busy = ticks.slice(0, 8).reduce((s, v, i) => (i === 3 || i === 4 ? s : s + v!), 0);
  return busy / CLK_TCK;
}

/**
 * CPU of several processes over a window: call `start()` then `stop()`; % of one core each, plus `others`: what the
 * rest of the machine used meanwhile (kernel network work on behalf of anyone, and other users of a shared machine).
 */
export function cpuMeter(procs: readonly Proc[]) {
  let t0 = 0;
  let m0 = 0;
  let c0: number[] = [];
  const round = (seconds: number, wall: number) => Math.round((seconds / wall) * 1000) / 10;
  return {
    start() {
      t0 = performance.now();
      m0 = machineBusySeconds();
      c0 = procs.map((p) => cpuSeconds(p.pid));
    },
    stop(): Record<string, number> {
      const wall = (performance.now() - t0) / 1000;
      const used = procs.map((p, i) => cpuSeconds(p.pid) - c0[i]!);
      const others = machineBusySeconds() - m0 - used.reduce((s, v) => s + v, 0);
      return { ...Object.fromEntries(procs.map((p, i) => [p.name, round(used[i]!, wall)])), others: round(Math.max(0, others), wall) };
    },
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === 'object' && address ? address.port : 0;
}

export async function waitForHttp(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name}: ${url} not ready${exited ? ' (process exited)' : ''}; stderr: ${proc.stderrTail()}`);
}

/** Sum of a Prometheus metric's samples (all label sets, or those whose labels contain `labels`). */
export async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && l.includes(labels))
    .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
}

/** Everything a run started, stopped in reverse order: SIGTERM, then SIGKILL after a grace period. */
export class Cleanup {
  readonly #procs: Proc[] = [];
  readonly #dirs: string[] = [];

  proc(p: Proc): Proc {
    this.#procs.push(p);
    return p;
  }

  dir(d: string): string {
    this.#dirs.push(d);
    return d;
  }

  async stop(p: Proc, graceMs = 5000): Promise<void> {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      const t0 = performance.now();
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        process.stderr.write(`[bench] ${p.name} had not stopped ${graceMs / 1000} s after SIGTERM: killed\n`);
        p.child.kill('SIGKILL');
      }, graceMs);
      await p.exited;
      clearTimeout(timer);
      const s = (performance.now() - t0) / 1000;
      if (s > 2 && s < graceMs / 1000) process.stderr.write(`[bench] ${p.name} took ${s.toFixed(1)} s to stop after SIGTERM\n`);
    }
    const i = this.#procs.indexOf(p);
    if (i >= 0) this.#procs.splice(i, 1);
  }

  async all(): Promise<void> {
    for (const p of [...this.#procs].reverse()) await this.stop(p);
    for (const d of this.#dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }

  /** Synchronous last resort (process 'exit'): kill what is left, remove the directories. */
  now(): void {
    for (const p of this.#procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const d of this.#dirs) rmSync(d, { recursive: true, force: true });
  }
}

export function quantiles(values: number[], qs: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!));
}

/** Resolve once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForPort(port: number, proc: Proc, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && proc.child.exitCode === null) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${proc.name} did not listen on ${port}; stderr: ${proc.stderrTail()}`);
}
