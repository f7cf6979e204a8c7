/**
 * `kill -9` of the simulator process (the devices' side): a simulator killed and restarted resumes its numbering
 * from its journal (test/support/fault-simulator.ts), so nothing it had confirmed sent — acknowledged by the edge
 * (QoS 1 PUBACK) and journalled — is lost, and what it re-sends (published, not yet journalled) is stored once.
 *
 * The scenario (fault-scenario.ts) runs from a simulator child process twice: fault-free, then with the simulator
 * killed by SIGKILL at seeded moments and restarted after a seeded pause (0.5–3 s). Then: every seq of every device
 * stored exactly once, one boot per device (numbering resumed, not restarted), every sample confirmed at each kill
 * stored, the cloud's alarms identical to the fault-free run's. The devices' Last Wills (offline) and their
 * technical alarms are the fault's own trace and are reported, not compared.
 * Seed: VIGIL_FAULT_SEED.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { account, planKills, ServiceProcess, sleep, startFaultWard, until, type FaultWard } from '../support/fault-ward.ts';
import { alarmSnapshot, compareAlarms, faultSeed, LONG, REPLAY, REPLAY_CLOUD_ENV, REPLAY_EDGE_ENV, scenarioT0 } from '../support/fault-scenario.ts';
import { writeFaultReport } from '../support/fault-report.ts';
import type { SimulatorConfig, SimulatorJournal } from '../support/fault-simulator.ts';

const SEED = faultSeed('simulator-kill-1');
const DEVICES = 20;
const SAMPLES = LONG ? 400 : 250;
const KILLS = LONG ? 4 : 2;
const RUN_MS = (SAMPLES / REPLAY.hz) * 1000;
const BOOT = 'boot-sim-fault-1';
const SCRIPT = fileURLToPath(new URL('../support/fault-simulator.ts', import.meta.url));

interface Kill {
  plannedAtMs: number;
  pauseMs: number;
  killAt: number;
  readyAt: number;
  caughtUpAt: number;
  /** Per device, seqs confirmed (acknowledged and journalled) when it was killed. */
  confirmed: Record<string, number>;
}

/** Events the simulator printed (JSON lines on stdout). */
function events(sim: ServiceProcess): Array<{ event: string; at: number }> {
  return sim.output().split('\n').filter((l) => l.startsWith('{"event"')).map((l) => JSON.parse(l) as { event: string; at: number });
}

async function run(t0: number, kills: Kill[] | undefined, wards: FaultWard[]) {
  const ward = await startFaultWard({ beds: DEVICES, edgeEnv: REPLAY_EDGE_ENV, cloudEnv: REPLAY_CLOUD_ENV });
  wards.push(ward);
  await ward.startEdge();
  await ward.edgeStatus('ok');
  const journal = join(ward.dir, 'simulator-journal.json');
  const config: SimulatorConfig = { brokerUrl: ward.deviceUrl, credentials: ward.ward.credentials.devices, bootId: BOOT, seed: SEED, samples: SAMPLES, hz: REPLAY.hz, t0, stepMs: REPLAY.stepMs, journal };
  const configFile = join(ward.dir, 'simulator.json');
  writeFileSync(configFile, JSON.stringify(config));
  const spawnSim = async () => {
    const sim = new ServiceProcess('simulator', { VIGIL_FAULT_SIM_CONFIG: configFile }, SCRIPT);
    await until('the simulator to connect', () => {
      if (!sim.running && sim.child.exitCode !== 0) throw new Error(`simulator exited (${sim.child.exitCode}):\n${sim.output()}`);
      return events(sim).some((e) => e.event === 'ready');
    }, 60_000, 50);
    return sim;
  };
  const readJournal = () => (existsSync(journal) ? (JSON.parse(readFileSync(journal, 'utf8')) as SimulatorJournal) : undefined);
  let sim = await spawnSim();
  const started = Date.now();
  const sims = [sim];
  for (const kill of kills ?? []) {
    await sleep(started + kill.plannedAtMs - Date.now());
    kill.killAt = Date.now();
    await sim.kill();
    kill.confirmed = readJournal()?.acked ?? {};
    await sleep(kill.pauseMs);
    sim = await spawnSim();
    sims.push(sim);
    kill.readyAt = events(sim).find((e) => e.event === 'ready')!.at;
    const current = sim;
    kill.caughtUpAt = (await until('the simulator to catch up', () => events(current).find((e) => e.event === 'caught-up'), 60_000, 50)).at;
  }
  const last = sim;
  await until('the simulator to finish', () => {
    if (!last.running && last.child.exitCode !== 0) throw new Error(`simulator exited (${last.child.exitCode}):\n${last.output()}`);
    return readJournal()?.done;
  }, RUN_MS + 120_000, 200);
  await last.exited;
  const ledger = { sent: new Map(ward.ward.credentials.devices.map((d) => [d.deviceId, SAMPLES])), bootId: BOOT, total: DEVICES * SAMPLES };
  const storedAll = await until('the cloud to store everything', async () => (await ward.edgeMetric('vigil_edge_outbox_records')) === 0 && ward.storedCount() >= ledger.total, 60_000, 100).then(() => Date.now(), () => undefined);
  const boots = ward.query<{ n: number }>('SELECT count(DISTINCT device_id || boot_id) AS n FROM samples')[0]?.n ?? 0;
  // Every sample confirmed at a kill must be stored (implied by the full accounting, checked on its own for clarity).
  const confirmedMissing = (kills ?? []).reduce((n, k) => {
    for (const [deviceId, count] of Object.entries(k.confirmed)) {
      n += count - (ward.query<{ n: number }>('SELECT count(*) AS n FROM samples WHERE device_id = ? AND boot_id = ? AND seq < ?', deviceId, BOOT, count)[0]?.n ?? 0);
    }
    return n;
  }, 0);
  return {
    ward,
    started,
    storedAll,
    boots,
    confirmedMissing,
    accounting: account(ward, ledger),
    snapshot: alarmSnapshot(ward, t0),
    edgeDuplicates: await ward.edgeMetric('vigil_edge_duplicates_total'),
    cloudRedeliveries: await ward.cloudMetric('vigil_cloud_duplicate_records_total'),
    finishedAt: events(last).find((e) => e.event === 'done')?.at ?? Date.now(),
  };
}

describe('simulator kill -9 (seeded): numbering resumes, nothing confirmed is lost or duplicated', () => {
  const wards: FaultWard[] = [];
  afterAll(async () => {
    await Promise.all(wards.map((w) => w.close()));
  });

  it('stores every sample once across kills and restarts, with the alarms of a fault-free run', async () => {
    const t0 = scenarioT0();
    const kills: Kill[] = planKills(SEED, RUN_MS, KILLS).map((k) => ({ ...k, killAt: 0, readyAt: 0, caughtUpAt: 0, confirmed: {} }));
    console.log(`simulator-kill: seed "${SEED}", plan ${JSON.stringify(kills.map(({ plannedAtMs, pauseMs }) => ({ plannedAtMs, pauseMs })))}`);
    const reference = await run(t0, undefined, wards);
    await reference.ward.close();
    const faulty = await run(t0, kills, wards);
    const parity = compareAlarms(reference.snapshot, faulty.snapshot);
    const confirmedAtKills = kills.map((k) => Object.values(k.confirmed).reduce((a, b) => a + b, 0));
    writeFaultReport({
      name: 'simulator-kill',
      seed: SEED,
      fault: `simulator kill -9 ×${KILLS}, ${DEVICES} devices × ${SAMPLES} samples at ${REPLAY.hz} Hz, restart resumes from its journal`,
      accounting: faulty.accounting,
      parity,
      // Kill → the restarted simulator has caught up with its schedule (everything due acknowledged).
      recoveryS: kills.map((k) => (k.caughtUpAt - k.killAt) / 1000),
      drainRecordsPerS: null, // the backlog is on the devices' side: see the catch-up figures
      figures: {
        'reference: sent / stored / lost': `${reference.accounting.sent} / ${reference.accounting.stored} / ${reference.accounting.lost}`,
        'kills at (s after start)': kills.map((k) => ((k.killAt - faulty.started) / 1000).toFixed(2)).join(', '),
        'confirmed at each kill (samples)': confirmedAtKills.join(', '),
        'confirmed but not stored': faulty.confirmedMissing,
        'restart → connected (s)': kills.map((k) => ((k.readyAt - k.killAt - k.pauseMs) / 1000).toFixed(2)).join(', '),
        'boots stored per device': faulty.boots / DEVICES,
        're-sent samples dropped as duplicates (edge)': faulty.edgeDuplicates,
        'redeliveries absorbed (cloud)': faulty.cloudRedeliveries,
        'technical alarms (fault trace, not compared)': faulty.snapshot.technical.length,
      },
    });

    for (const outcome of [reference, faulty]) {
      expect(outcome.accounting.lost, `lost samples, e.g. ${outcome.accounting.lostKeys.join(', ')}`).toBe(0);
      expect(outcome.accounting.duplicated).toBe(0);
      expect(outcome.accounting.unexpected).toBe(0);
      expect(outcome.accounting.stored).toBe(DEVICES * SAMPLES);
      expect(outcome.boots).toBe(DEVICES); // one boot per device: the numbering resumed
    }
    expect(confirmedAtKills.every((n) => n > 0)).toBe(true);
    expect(faulty.confirmedMissing).toBe(0);
    expect(reference.snapshot.alarms.length).toBeGreaterThan(DEVICES);
    expect(faulty.snapshot.alarms).toEqual(reference.snapshot.alarms);
    expect(faulty.snapshot.transitions).toEqual(reference.snapshot.transitions);
    expect(faulty.snapshot.news2).toEqual(reference.snapshot.news2);
  });
});
