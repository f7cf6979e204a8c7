/**
 * Uplink broker restart (docs/faults.md). The cloud's embedded broker lives in the cloud process, so restarting it
 * is the cloud kill (cloud-kill.test.ts). This test runs the other deployment: an external mosquitto between the
 * edge and the cloud (VIGIL_CLOUD_UPLINK_URL), with persistence on (test/support/fault-mosquitto.ts). The seeded
 * scenario runs fault-free through the broker, then with the broker restarted at seeded moments (SIGTERM: a service
 * restart, mosquitto saves its database on the way down) after a seeded pause. The edge's uplink and the cloud's
 * ingest client both reconnect with persistent sessions; what the broker had acknowledged to the edge but not yet
 * delivered to the cloud is in the saved database and delivered after the restart.
 * Required: 0 lost, 0 duplicated, the same cloud alarms as the fault-free run.
 *
 * A broker crash (SIGKILL) is a different matter: mosquitto 2.0 acknowledges a QoS 1 publish before it writes it to
 * disk (its database is saved every `autosave_interval` s), so what it acknowledged since the last save is gone with
 * it — the edge already deleted it from its outbox. That variant runs with VIGIL_FAULTS_LONG=1 and reports the loss
 * it measures without failing on it (docs/faults.md, "Known limits"); the embedded broker has no such window (the
 * batch is committed before the PUBACK, cloud/src/uplink/embedded-broker.ts).
 * Seed: VIGIL_FAULT_SEED.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generateSecret } from '@vigil/contracts/credentials';
import { planKills, until, type FaultWard } from '../support/fault-ward.ts';
import { compareAlarms, faultSeed, LONG, REPLAY, runScenario, scenarioT0, type ScenarioOutcome } from '../support/fault-scenario.ts';
import { writeFaultReport } from '../support/fault-report.ts';
import { startUplinkMosquitto, type UplinkMosquitto } from '../support/fault-mosquitto.ts';

const SEED = faultSeed('uplink-broker-restart-1');
const DEVICES = 20;
const SAMPLES = LONG ? 400 : 250;
const RESTARTS = LONG ? 3 : 2;
const RUN_MS = (SAMPLES / REPLAY.hz) * 1000;

type Signal = 'SIGTERM' | 'SIGKILL';
interface Restart {
  plannedAtMs: number;
  pauseMs: number;
  at: number;
  up: number;
  edgeBack: number;
}

describe('uplink broker restart (external mosquitto)', () => {
  const wards: FaultWard[] = [];
  const brokers: UplinkMosquitto[] = [];
  afterAll(async () => {
    await Promise.all(wards.map((w) => w.close()));
    await Promise.all(brokers.map((b) => b.close()));
  });

  const t0 = scenarioT0();
  let reference: ScenarioOutcome | undefined;

  async function run(signal: Signal | undefined, restarts: Restart[]): Promise<ScenarioOutcome> {
    let broker: UplinkMosquitto | undefined;
    return runScenario({
      seed: SEED,
      t0,
      devices: DEVICES,
      samples: SAMPLES,
      wards,
      ward: {
        async beforeCloud(ward) {
          broker = await startUplinkMosquitto(ward, generateSecret());
          brokers.push(broker);
          return broker.cloudEnv;
        },
      },
      uplinkPort: () => broker!.port,
      ...(signal
        ? {
            async fault({ ward, at }) {
              for (const r of restarts) {
                await at(r.plannedAtMs);
                r.at = Date.now();
                await broker!.restart(signal, r.pauseMs);
                r.up = Date.now();
                await until('the edge uplink to reconnect', async () => (await ward.edgeMetric('vigil_edge_uplink_connected')) === 1, 30_000, 50);
                r.edgeBack = Date.now();
              }
            },
          }
        : {}),
    });
  }

  for (const signal of (LONG ? ['SIGTERM', 'SIGKILL'] : ['SIGTERM']) as Signal[]) {
    it(`${signal === 'SIGTERM' ? 'a restart (SIGTERM)' : 'a crash (SIGKILL)'} ×${RESTARTS}: ${signal === 'SIGTERM' ? '0 lost, 0 duplicated, identical alarms' : 'the loss is measured and reported'}`, async () => {
      const restarts: Restart[] = planKills(`${SEED}:${signal}`, RUN_MS, RESTARTS).map((k) => ({ ...k, at: 0, up: 0, edgeBack: 0 }));
      console.log(`uplink-broker-restart: seed "${SEED}", ${signal}, plan ${JSON.stringify(restarts.map(({ plannedAtMs, pauseMs }) => ({ plannedAtMs, pauseMs })))}`);
      if (!reference) {
        reference = await run(undefined, []);
        await reference.ward.close();
      }
      const faulty = await run(signal, restarts);
      const parity = compareAlarms(reference.snapshot, faulty.snapshot);
      const last = faulty.watch.recovery(restarts.at(-1)!.edgeBack, faulty.watch.baseline(faulty.started + restarts[0]!.plannedAtMs));
      writeFaultReport({
        name: signal === 'SIGTERM' ? 'uplink-broker-restart' : 'uplink-broker-crash',
        seed: SEED,
        fault: `external mosquitto uplink broker ${signal === 'SIGTERM' ? 'restarted (SIGTERM)' : 'killed (SIGKILL)'} ×${RESTARTS}, ${DEVICES} devices × ${SAMPLES} samples at ${REPLAY.hz} Hz`,
        accounting: faulty.accounting,
        parity,
        // Stop signal → the edge's uplink connected again.
        recoveryS: restarts.map((r) => (r.edgeBack - r.at) / 1000),
        drainRecordsPerS: last.drainPerS,
        figures: {
          'reference: sent / stored / lost': `${reference.accounting.sent} / ${reference.accounting.stored} / ${reference.accounting.lost}`,
          'restarts at (s after start)': restarts.map((r) => ((r.at - faulty.started) / 1000).toFixed(2)).join(', '),
          'broker down (s)': restarts.map((r) => ((r.up - r.at) / 1000).toFixed(2)).join(', '),
          'outbox peak after the last restart (records)': last.peak,
          'backlog back to normal after the last restart (s)': last.recoveryS,
          'redeliveries absorbed (cloud)': await faulty.ward.cloudMetric('vigil_cloud_duplicate_records_total'),
          'drain after devices stopped (s)': faulty.drainedAt === undefined ? null : (faulty.drainedAt - faulty.stoppedAt) / 1000,
        },
      });

      expect(reference.accounting.lost).toBe(0);
      expect(reference.accounting.stored).toBe(DEVICES * SAMPLES);
      expect(restarts.every((r) => r.edgeBack > 0)).toBe(true);
      expect(faulty.accounting.duplicated).toBe(0);
      expect(faulty.accounting.unexpected).toBe(0);
      if (signal === 'SIGKILL') return; // measured, reported: see the header
      expect(faulty.accounting.lost, `lost samples, e.g. ${faulty.accounting.lostKeys.join(', ')}`).toBe(0);
      expect(faulty.accounting.stored).toBe(DEVICES * SAMPLES);
      expect(reference.snapshot.alarms.length).toBeGreaterThan(DEVICES);
      expect(faulty.snapshot.alarms).toEqual(reference.snapshot.alarms);
      expect(faulty.snapshot.transitions).toEqual(reference.snapshot.transitions);
      expect(faulty.snapshot.news2).toEqual(reference.snapshot.news2);
    });
  }
});
