/**
 * Plumbing of the fault suites (test/faults): a provisioned ward whose cloud and edge gateway run as child processes
 * (`node --import tsx …/main.ts`, configured by their environment variables), so that `kill -9` is a real one, on
 * free ports and a temporary directory; a fleet of device links each sending numbered samples at a fixed rate, so
 * that the test knows exactly what was sent; and the accounting of what the cloud stored, read from its SQLite file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { HealthResponse, VitalCode } from '@vigil/contracts';
import { PROVISIONING_FILES, provisionWard, writeWardProvisioning, type WardProvisioning } from '@vigil/edge';
import { MqttDeviceLink, Rng, type LinkStats } from '@vigil/simulators';
import { freePort } from './mosquitto.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const OUTPUT_KEEP = 64 * 1024; // chars of a child's output kept for the failure message

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Poll `probe` every `everyMs` until it returns a truthy value; throw after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One service as a child process; its output is kept (tail) for failure messages. */
export class ServiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  #output = '';

  /** `script`: the entry to run (default `<name>/src/main.ts`, the service's own entry). */
  constructor(readonly name: string, env: Record<string, string>, script = join(root, name, 'src', 'main.ts')) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => (this.#output = (this.#output + d.toString()).slice(-OUTPUT_KEEP));
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.#output;
  }

  /** SIGKILL (no shutdown code runs) and wait for the exit. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

async function getJson(url: string): Promise<HealthResponse | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return (await res.json()) as HealthResponse;
  } catch {
    return undefined;
  }
}

/** Sum of a metric's series (those whose line contains `match`, e.g. 'kind="physiological"') at a /metrics URL. */
export async function scrape(url: string, name: string, match = ''): Promise<number> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if ((line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && line.includes(match)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface FaultWardOptions {
  beds: number;
  /** Extra VIGIL_EDGE_* variables. */
  edgeEnv?: Record<string, string>;
  /** Extra VIGIL_CLOUD_* variables. */
  cloudEnv?: Record<string, string>;
  /** Runs after provisioning, before the cloud starts (an external uplink broker); returns more cloud variables. */
  beforeCloud?: (ward: WardProvisioning, dir: string) => Promise<Record<string, string>>;
}

/**
 * A provisioned ward with its cloud running (embedded uplink broker). The edge is started by `startEdge`, to the
 * cloud's uplink port or to another one (a fault proxy in front of it); `restartEdge` keeps the data directory, so
 * the outbox survives a kill. `killCloud` / `startCloud` do the same for the cloud (same database file).
 */
export async function startFaultWard(options: FaultWardOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fault-'));
  const wardId = 'ward-f';
  const ward: WardProvisioning = provisionWard({ wardId, gatewayId: `gw-${wardId}`, beds: options.beds, wearableBeds: 0 });
  const files = join(dir, 'provisioning');
  writeWardProvisioning(ward, files);
  const ports = { cloudHttp: await freePort(), uplink: await freePort(), edgeMqtt: await freePort(), edgeHttp: await freePort() };
  const dbFile = join(dir, 'cloud', 'vigil.sqlite');
  const cloudUrl = `http://127.0.0.1:${ports.cloudHttp}`;
  const edgeUrl = `http://127.0.0.1:${ports.edgeHttp}`;
  const processes: ServiceProcess[] = [];
  let cloud: ServiceProcess | undefined;
  let edge: ServiceProcess | undefined;
  let uplinkPort = ports.uplink;

  const alive = (p: ServiceProcess) => {
    if (!p.running) throw new Error(`${p.name} exited (${p.child.exitCode}):\n${p.output()}`);
  };
  let extraCloudEnv: Record<string, string> = {};
  /** Spawn the cloud (same database file each time); resolves once its /readyz is ok (ingest subscribed). */
  async function startCloud(): Promise<void> {
    const started = new ServiceProcess('cloud', {
      VIGIL_CLOUD_HTTP_PORT: String(ports.cloudHttp),
      VIGIL_CLOUD_EMBEDDED_MQTT_PORT: String(ports.uplink),
      VIGIL_CLOUD_GATEWAY_REGISTRY_FILE: join(files, PROVISIONING_FILES.gatewayRegistry),
      VIGIL_CLOUD_DB_FILE: dbFile,
      VIGIL_CLOUD_LOG_LEVEL: 'warn',
      VIGIL_CLOUD_MAINTENANCE: 'false',
      ...options.cloudEnv,
      ...extraCloudEnv,
    });
    cloud = started;
    processes.push(started);
    await until('the cloud to be ready', async () => (alive(started), (await getJson(`${cloudUrl}/readyz`))?.status === 'ok'), 60_000, 100);
  }
  try {
    if (options.beforeCloud) extraCloudEnv = await options.beforeCloud(ward, dir);
    await startCloud();
  } catch (err) {
    await cloud?.kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const self = {
    dir,
    ward,
    ports,
    dbFile,
    cloudUrl,
    edgeUrl,
    deviceUrl: `mqtt://127.0.0.1:${ports.edgeMqtt}`,
    /** Spawn the edge; resolves once its ops endpoint answers (its device listener is up by then). */
    async startEdge(uplink = uplinkPort): Promise<void> {
      uplinkPort = uplink;
      const started = new ServiceProcess('edge', {
        VIGIL_EDGE_GATEWAY_ID: ward.gateway.gatewayId,
        VIGIL_EDGE_WARD_ID: wardId,
        VIGIL_EDGE_MQTT_PORT: String(ports.edgeMqtt),
        VIGIL_EDGE_HTTP_PORT: String(ports.edgeHttp),
        VIGIL_EDGE_REGISTRY_FILE: join(files, PROVISIONING_FILES.deviceRegistry),
        VIGIL_EDGE_DATA_DIR: join(dir, 'edge'),
        VIGIL_EDGE_UPLINK_URL: `mqtt://127.0.0.1:${uplink}`,
        VIGIL_EDGE_UPLINK_SECRET_FILE: join(files, PROVISIONING_FILES.gatewaySecret),
        VIGIL_EDGE_RECORDER: 'false', // the session recorder is not under test; it would only cost CPU and disk
        VIGIL_EDGE_LOG_LEVEL: 'warn',
        ...options.edgeEnv,
      });
      edge = started;
      processes.push(started);
      await until('the edge to listen', async () => (alive(started), (await self.edgeHealth()) !== undefined), 60_000, 50);
    },
    restartEdge: () => self.startEdge(uplinkPort),
    startCloud,
    async killCloud(): Promise<void> {
      await cloud?.kill();
    },
    async killEdge(): Promise<void> {
      await edge?.kill();
    },
    edgeHealth: () => getJson(`${edgeUrl}/readyz`),
    /** Resolves when the edge's /readyz reports `status`. */
    async edgeStatus(status: HealthResponse['status'], timeoutMs = 60_000): Promise<void> {
      await until(`edge /readyz ${status}`, async () => (edge && alive(edge), (await self.edgeHealth())?.status === status), timeoutMs, 50);
    },
    edgeMetric: (name: string, match?: string) => scrape(`${edgeUrl}/metrics`, name, match),
    cloudMetric: (name: string, match?: string) => scrape(`${cloudUrl}/metrics`, name, match),
    /** Run a read-only query on the cloud's database (WAL: reading never blocks the cloud's writes). */
    query<T>(sql: string, ...params: unknown[]): T[] {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
    storedCount(): number {
      return self.query<{ n: number }>('SELECT count(*) AS n FROM samples')[0]?.n ?? 0;
    },
    /** Kill what is still running (SIGKILL: a test that failed must not hang on a graceful stop) and clean up. */
    async close(): Promise<void> {
      await Promise.all(processes.map((p) => p.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
export type FaultWard = Awaited<ReturnType<typeof startFaultWard>>;

/** Device `i`'s normal vitals at `seq`: gently varying, never alarming (a scenario overrides them in episodes). */
export function fleetVitals(i: number, seq: number): Partial<Record<VitalCode, number>> {
  const wave = Math.sin((seq + 7 * i) / 50);
  return { hr: Math.round(72 + 6 * wave), spo2: 97 + Math.round(wave), rr: 15 + Math.round(2 * wave), temp: 36.8 };
}

/**
 * Every provisioned device on its own link, sending one VitalsSample per tick with seq 0, 1, 2, … (one boot), so
 * that "sent" is exact: a sample handed to `link.send()`. Vitals stay normal and gently varying (no alarms).
 */
export class DeviceFleet {
  readonly links: MqttDeviceLink[];
  readonly sent = new Map<string, number>();
  readonly bootId = 'boot-fault-1';
  /** Optional override of a device's vitals at sample `seq` / event time `t` (an alarming episode); normal otherwise. */
  shape: ((deviceIndex: number, t: number, seq: number) => Partial<Record<VitalCode, number>> | undefined) | undefined;
  /**
   * Event time: the wall clock by default; with `eventTime`, t = t0 + seq × stepMs, so that two runs of the same
   * seed send identical samples (a fault run and its fault-free reference), and `limit` stops each device after
   * exactly that many samples.
   */
  eventTime: { t0: number; stepMs: number } | undefined;
  limit = Infinity;
  #timers: NodeJS.Timeout[] = [];

  constructor(ward: FaultWard, readonly hz: number, bufferLimit: number) {
    this.links = ward.ward.credentials.devices.map(
      (credential) => new MqttDeviceLink({ brokerUrl: ward.deviceUrl, credential, bootId: this.bootId, bufferLimit }),
    );
  }

  get total(): number {
    let n = 0;
    for (const v of this.sent.values()) n += v;
    return n;
  }

  async connect(): Promise<void> {
    await Promise.all(this.links.map((l) => l.connect()));
  }

  /**
   * Each device on its own timer, phases spread over the period as unsynchronised devices are: the gateway is busy
   * all the time rather than in bursts, so a kill at a random moment finds messages in flight.
   */
  start(): void {
    const period = 1000 / this.hz;
    this.links.forEach((link, i) => {
      this.#timers[i] = setTimeout(() => {
        this.#send(link, i);
        this.#timers[i] = setInterval(() => this.#send(link, i), period);
      }, (i * period) / this.links.length);
    });
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer); // also clears an interval
    this.#timers = [];
  }

  #send(link: MqttDeviceLink, i: number): void {
    const seq = this.sent.get(link.deviceId) ?? 0;
    if (seq >= this.limit) return;
    const t = this.eventTime ? this.eventTime.t0 + seq * this.eventTime.stepMs : Date.now();
    const vitals = { ...fleetVitals(i, seq), ...this.shape?.(i, t, seq) };
    link.send({ kind: 'message', sentAt: Date.now(), channel: 'vitals', message: { v: 1, deviceId: link.deviceId, bootId: this.bootId, seq, t, vitals } });
    this.sent.set(link.deviceId, seq + 1);
  }

  /** The links' counters, summed. */
  stats(): LinkStats {
    const sum: LinkStats = { sent: 0, acked: 0, dropped: 0, failed: 0 };
    for (const l of this.links) for (const k of Object.keys(sum) as Array<keyof LinkStats>) sum[k] += l.stats[k];
    return sum;
  }

  /** Resolves when every sample handed to a link has been acknowledged by the edge (none buffered or in flight). */
  async settled(timeoutMs: number): Promise<void> {
    await until('every device sample to be acknowledged', () => this.links.every((l) => l.stats.acked + l.stats.dropped + l.stats.failed >= (this.sent.get(l.deviceId) ?? 0)), timeoutMs, 100);
  }

  async close(): Promise<void> {
    this.stop();
    await Promise.all(this.links.map((l) => l.close()));
  }
}

export interface Accounting {
  sent: number;
  stored: number;
  /** Sent but not stored. */
  lost: number;
  /** Rows beyond one per key (the primary key should make this impossible). */
  duplicated: number;
  /** Stored but never sent (a wrong key). */
  unexpected: number;
  /** The first few lost keys, for the failure message. */
  lostKeys: string[];
}

/** What a sender claims it sent: per device, seqs 0 … count − 1 of one boot. */
export interface SentLedger {
  readonly sent: ReadonlyMap<string, number>;
  readonly bootId: string;
  readonly total: number;
}

/** Compare, device by device, the seqs the cloud stored with those the fleet sent. */
export function account(ward: FaultWard, fleet: SentLedger): Accounting {
  const rows = ward.query<{ device_id: string; boot_id: string; seq: number }>('SELECT device_id, boot_id, seq FROM samples');
  const keys = new Set(rows.map((r) => `${r.device_id}/${r.boot_id}/${r.seq}`));
  const result: Accounting = { sent: fleet.total, stored: rows.length, lost: 0, duplicated: rows.length - keys.size, unexpected: 0, lostKeys: [] };
  let expected = 0;
  for (const [deviceId, count] of fleet.sent) {
    for (let seq = 0; seq < count; seq++) {
      if (keys.has(`${deviceId}/${fleet.bootId}/${seq}`)) expected++;
      else if (++result.lost <= 10) result.lostKeys.push(`${deviceId}/${seq}`);
    }
  }
  result.unexpected = keys.size - expected;
  return result;
}

/** Seeded kill moments: one per window after a 4 s warm-up (uniform in its first half), each then paused 0.5–3 s. */
export function planKills(seed: string, runMs: number, kills: number): Array<{ plannedAtMs: number; pauseMs: number }> {
  const rng = new Rng(seed);
  const window = (runMs - 8_000) / kills; // the last 4 s let the last restart catch up before the devices stop
  return Array.from({ length: kills }, (_, k) => ({
    plannedAtMs: Math.round(4_000 + k * window + rng.uniform(0, window / 2)),
    pauseMs: Math.round(rng.uniform(500, 3_000)),
  }));
}

/**
 * After the devices stopped: wait until every sample was acknowledged, the edge's outbox is empty and the cloud holds
 * as many samples as were sent. Resolves with the time that happened, or undefined (a loss: the caller accounts).
 */
export async function drained(ward: FaultWard, fleet: DeviceFleet): Promise<number | undefined> {
  await fleet.settled(60_000);
  const total = fleet.total;
  return until('the outbox to drain', async () => (await ward.edgeMetric('vigil_edge_outbox_records')) === 0 && ward.storedCount() >= total, 60_000, 100).then(
    () => Date.now(),
    () => undefined,
  );
}
