/**
 * A stalled dashboard client (docs/faults.md): a socket.io client that signs in, joins the ward room and then stops
 * reading (test/faults/stalled-client.py: a 4 KiB receive buffer, so the TCP window closes at once and what the cloud
 * sends it piles up on the cloud's side). Required: the cloud does not grow memory without bound — engine.io's
 * heartbeat (set here to a ping every 5 s, 5 s to answer, VIGIL_CLOUD_SOCKET_PING_*; defaults 25 s + 20 s, and in
 * the long variant) drops a client that does not read, freeing what was buffered for it —
 * and does not block other clients: a healthy dashboard keeps receiving every alarm, its device → dashboard alarm
 * latency measured before and during the stall. The seeded scenario also runs without the stalled client: the
 * cloud's alarms must be identical, and no sample lost or duplicated.
 * Seed: VIGIL_FAULT_SEED. Skipped (and said so) without python3.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alarm, ClientToServerEvents, LoginResponse, ServerToClientEvents, WardJoinReply } from '@vigil/contracts';
import { UserRepository } from '../../cloud/src/auth/user-repository.ts';
import { openDb } from '../../cloud/src/storage/open-db.ts';
import { sleep, until, type FaultWard } from '../support/fault-ward.ts';
import { compareAlarms, faultSeed, LONG, REPLAY, runScenario, scenarioT0 } from '../support/fault-scenario.ts';
import { writeFaultReport } from '../support/fault-report.ts';

const SEED = faultSeed('stalled-dashboard-1');
const DEVICES = 20;
const STALL_AT_MS = 6_000;
/** Long enough for the heartbeat to act (25 s + 20 s long; 5 s + 5 s in CI) with a margin, and a stretch after it. */
const SAMPLES = LONG ? 900 : 300;
const HEARTBEAT_ENV: Record<string, string> = LONG ? {} : { VIGIL_CLOUD_SOCKET_PING_INTERVAL_MS: '5000', VIGIL_CLOUD_SOCKET_PING_TIMEOUT_MS: '5000' };
const PASSWORD = 'fault-nurse-password-1';
const CLIENT = fileURLToPath(new URL('./stalled-client.py', import.meta.url));

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null);

interface Seen {
  /** Healthy client: [alarm id, latency ms, received at, limit rule?]. */
  alarms: Array<[string, number, number, boolean]>;
  stallAt: number;
  joinedAt: number;
  droppedAt: number;
  rss: Array<[number, number]>;
}

describe('stalled dashboard client', () => {
  const wards: FaultWard[] = [];
  const children: ChildProcess[] = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(wards.map((w) => w.close()));
  });

  it.skipIf(!hasPython)('drops the stalled client, keeps memory bounded, and other clients get every alarm', async () => {
    const t0 = scenarioT0();
    const runOnce = async (stall: boolean) => {
      const seen: Seen = { alarms: [], stallAt: 0, joinedAt: 0, droppedAt: 0, rss: [] };
      const outcome = await runScenario({
        seed: SEED,
        t0,
        devices: DEVICES,
        samples: SAMPLES,
        wards,
        ward: {
          cloudEnv: HEARTBEAT_ENV,
          async beforeCloud(ward, dir) {
            mkdirSync(join(dir, 'cloud'), { recursive: true });
            const db = await openDb({ dbFile: join(dir, 'cloud', 'vigil.sqlite') });
            await db.migrate();
            await new UserRepository().create(db, { username: 'fault-nurse', password: PASSWORD, role: 'clinician', wards: [ward.gateway.wardId] });
            await db.close();
            return {};
          },
        },
        async fault({ ward, started, at }) {
          const login = (await (await fetch(`${ward.cloudUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'fault-nurse', password: PASSWORD }) })).json()) as LoginResponse;
          const healthy = io(ward.cloudUrl, { transports: ['websocket'], auth: { token: login.token } }) as Socket<ServerToClientEvents, ClientToServerEvents>;
          sockets.push(healthy);
          const ids = new Set<string>();
          healthy.on('alarm', (alarm: Alarm) => {
            if (ids.has(alarm.id) || (alarm.source !== 'limit-rule' && alarm.source !== 'news2')) return;
            ids.add(alarm.id);
            // The sample that completed the condition was sent at started + seq / hz (×10 replay): wall-clock latency.
            const sentAt = started + ((alarm.raisedAt - t0) / REPLAY.stepMs) * (1000 / REPLAY.hz);
            seen.alarms.push([alarm.id, Date.now() - sentAt, Date.now(), alarm.source === 'limit-rule']);
          });
          await new Promise<void>((resolve, reject) => (healthy.once('connect', () => resolve()), healthy.once('connect_error', reject)));
          const reply = (await healthy.emitWithAck('ward:join', { wardId: ward.ward.gateway.wardId })) as WardJoinReply;
          if (!reply.ok) throw new Error(`ward:join refused: ${reply.error.code}`);
          const cloudPid = async () => (await ward.cloudMetric('process_resident_memory_bytes'));
          const end = started + (SAMPLES / REPLAY.hz) * 1000;
          await at(STALL_AT_MS);
          seen.stallAt = Date.now();
          if (stall) {
            const port = new URL(ward.cloudUrl).port;
            const child = spawn('python3', [CLIENT, '127.0.0.1', port, login.token, ward.ward.gateway.wardId], { stdio: ['ignore', 'pipe', 'pipe'] });
            children.push(child);
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.stderr.on('data', (d: Buffer) => (out += d.toString()));
            await until('the stalled client to join', () => {
              if (child.exitCode !== null) throw new Error(`stalled client exited: ${out}`);
              return out.includes('"joined"');
            }, 20_000, 50);
            seen.joinedAt = Date.now();
          }
          // Until the run ends, and in the stalled run until the cloud dropped the client (at most 90 s).
          while (Date.now() < end - 500 || (stall && !seen.droppedAt && Date.now() < seen.joinedAt + 90_000)) {
            seen.rss.push([Date.now(), await cloudPid()]);
            if (stall && !seen.droppedAt && (await ward.cloudMetric('vigil_cloud_socket_clients')) === 1) seen.droppedAt = Date.now();
            await sleep(500);
          }
        },
      });
      return { ...outcome, seen };
    };

    const reference = await runOnce(false);
    await reference.ward.close();
    const faulty = await runOnce(true);
    const parity = compareAlarms(reference.snapshot, faulty.snapshot);
    const { seen } = faulty;
    // Limit-rule alarms only: a NEWS2 alarm is decided at a window end plus the watermark bound, by design later.
    const latencies = (from: number, to: number, s: Seen) => s.alarms.filter(([, , at, rule]) => rule && at >= from && at < to).map(([, ms]) => ms).sort((a, b) => a - b);
    const stallEnd = seen.droppedAt || Date.now();
    const during = latencies(seen.joinedAt, stallEnd, seen);
    const before = latencies(0, seen.stallAt, seen);
    const refDuring = latencies(reference.seen.stallAt, reference.seen.stallAt + (stallEnd - seen.joinedAt), reference.seen);
    const rssBefore = Math.max(...seen.rss.filter(([t]) => t < seen.joinedAt + 1000).map(([, b]) => b));
    const rssPeak = Math.max(...seen.rss.map(([, b]) => b));
    const rssAfter = seen.rss.at(-1)?.[1] ?? 0;
    const refPeak = Math.max(...reference.seen.rss.map(([, b]) => b));
    const processorAlarms = faulty.snapshot.alarms.length;
    const fmt = (v: number[]) => (v.length ? `p50 ${quantile(v, 0.5)!.toFixed(0)} ms, p95 ${quantile(v, 0.95)!.toFixed(0)} ms, max ${v.at(-1)!.toFixed(0)} ms (${v.length} alarms)` : 'no alarm');
    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    writeFaultReport({
      name: 'stalled-dashboard',
      seed: SEED,
      fault: `a socket.io client stops reading at ${STALL_AT_MS / 1000} s (4 KiB receive buffer), ${DEVICES} devices × ${SAMPLES} samples at ${REPLAY.hz} Hz`,
      accounting: faulty.accounting,
      parity,
      // Stall → the cloud dropped the stalled socket (engine.io heartbeat).
      recoveryS: [seen.droppedAt ? (seen.droppedAt - seen.joinedAt) / 1000 : null],
      drainRecordsPerS: null,
      figures: {
        'reference: sent / stored / lost': `${reference.accounting.sent} / ${reference.accounting.stored} / ${reference.accounting.lost}`,
        'healthy client alarm latency before the stall': fmt(before),
        'healthy client alarm latency during the stall': fmt(during),
        'same stretch, fault-free run': fmt(refDuring),
        'healthy client alarms received / processor alarms stored': `${new Set(seen.alarms.map(([id]) => id)).size} / ${processorAlarms}`,
        'cloud RSS: at the stall → peak → end': `${mb(rssBefore)} → ${mb(rssPeak)} → ${mb(rssAfter)} (fault-free peak ${mb(refPeak)})`,
      },
    });

    expect(seen.droppedAt, 'the cloud never dropped the stalled client').toBeGreaterThan(0);
    // engine.io: pingInterval + pingTimeout (5 s + 5 s here, 25 s + 20 s by default), plus a ping already due; generous.
    expect(seen.droppedAt - seen.joinedAt).toBeLessThan(60_000);
    // Bounded: at most the ~45 s of this ward's updates (≈ 3 MB of JSON at 200 values/s) on top of a fault-free run's peak, with room for GC timing.
    expect(rssPeak - refPeak).toBeLessThan(150e6);
    // Not blocked: the healthy client received every alarm the processor raised, during the stall too.
    expect(during.length).toBeGreaterThan(0);
    expect(new Set(seen.alarms.map(([id]) => id)).size).toBe(processorAlarms);
    for (const outcome of [reference, faulty]) {
      expect(outcome.accounting.lost, `lost samples, e.g. ${outcome.accounting.lostKeys.join(', ')}`).toBe(0);
      expect(outcome.accounting.duplicated).toBe(0);
      expect(outcome.accounting.stored).toBe(DEVICES * SAMPLES);
    }
    expect(faulty.snapshot.alarms).toEqual(reference.snapshot.alarms);
    expect(faulty.snapshot.transitions).toEqual(reference.snapshot.transitions);
    expect(faulty.snapshot.news2).toEqual(reference.snapshot.news2);
  });
});
