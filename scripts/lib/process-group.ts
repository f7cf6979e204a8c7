/**
 * Child services of the demo: each runs in its own process group (so a terminal's Ctrl-C reaches only the demo,
 * which then stops them in a safe order), its output goes to a log file, and warnings are echoed with a prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

export interface RunningService {
  spec: ServiceSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Echo a child's line to the terminal when it is a pino warning or worse, or not JSON at all. */
function worthEchoing(line: string): boolean {
  if (!line.startsWith('{')) return line.trim().length > 0;
  try {
    const entry = JSON.parse(line) as { level?: number };
    return (entry.level ?? 30) >= 40;
  } catch {
    return true;
  }
}

export class ProcessGroup {
  readonly #running: RunningService[] = [];

  constructor(readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  start(spec: ServiceSpec): RunningService {
    const log = createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'a' });
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        log.write(line + '\n');
        if (worthEchoing(line)) process.stdout.write(`[${spec.name}] ${line}\n`);
      });
    }
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const running = { spec, child, exited };
    this.#running.push(running);
    return running;
  }

  /** Stop in reverse start order: SIGTERM, then SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    for (const service of [...this.#running].reverse()) {
      if (service.child.exitCode !== null || service.child.pid === undefined) continue;
      try {
        process.kill(-service.child.pid, 'SIGTERM');
      } catch {
        continue;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-(service.child.pid as number), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, graceMs);
      await service.exited;
      clearTimeout(timer);
    }
  }

  /** Last resort when the demo itself exits unexpectedly. */
  killAllNow(): void {
    for (const service of this.#running) {
      if (service.child.pid !== undefined && service.child.exitCode === null) {
        try {
          process.kill(-service.child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  }
}

/** Poll an HTTP URL until it answers 2xx, or fail after `timeoutMs` (or when `exited` resolves first). */
export async function waitForHttp(url: string, timeoutMs: number, exited?: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited?.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the process serving ${url} exited`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
}

/** Which of the named ports cannot be bound on `host` (port 0 always can). */
export async function busyPorts(host: string, ports: Record<string, number>): Promise<string[]> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (port === 0) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(`${port} (${name})`);
  }
  return busy;
}
