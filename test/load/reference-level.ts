/**
 * One level through bare mosquitto, in the same run as the Vigil level: the same load generator (same devices,
 * credentials, payloads, phases, waveform share) → mosquitto (Debian's package; password file, persistence off,
 * Nagle off as on every Vigil socket, defaults otherwise) → reference-subscriber.ts, which only counts and timestamps. The reference ratio of the issue:
 * what the transport alone costs, beside what Vigil's edge and cloud cost for the same ingest.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVISIONING_FILES } from '@vigil/edge';
import { freePort, startProcess, waitForPort } from '../../edge/bench/bench-processes.ts';
import { inWindow, latencyStats } from './latency.ts';
import { referenceWarmupS } from './plan.ts';
import type { ReferenceLevel } from './results.ts';
import { account, type SentFile } from './stored-watcher.ts';
import { measureWindow, normaliseStats, round1, startGenerator, type LevelContext } from './vigil-level.ts';

export const MOSQUITTO = '/usr/sbin/mosquitto';
const root = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SubscriberResult {
  rows: Array<[deviceId: string, bootId: string, seq: number, t: number, arrivedAt: number]>;
  /** Arrival time of every waveform chunk. */
  waves: number[];
}

export async function runReferenceLevel(ctx: LevelContext): Promise<ReferenceLevel> {
  const dir = join(ctx.dir, `mosquitto-${ctx.beds}`);
  mkdirSync(dir, { recursive: true });
  const passwd = join(dir, 'passwd');
  copyFileSync(join(ctx.provisioning, PROVISIONING_FILES.mosquittoPasswd), passwd);
  execFileSync('mosquitto_passwd', ['-U', passwd]); // hash the plaintext lines in place
  const port = await freePort();
  // `user root` keeps the 0600 password file readable when the benchmark runs as root (ignored otherwise).
  writeFileSync(join(dir, 'mosquitto.conf'), [`listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${passwd}`, 'persistence false', 'set_tcp_nodelay true', 'user root', 'log_dest stderr', ''].join('\n'));
  const broker = ctx.cleanup.proc(startProcess('mosquitto', MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')]));
  try {
    await waitForPort(port, broker);
    const url = `mqtt://127.0.0.1:${port}`;
    const secret = readFileSync(join(ctx.provisioning, PROVISIONING_FILES.gatewaySecret), 'utf8').trim();
    const resultFile = join(dir, 'subscriber.json');
    const subscriber = ctx.cleanup.proc(
      startProcess('subscriber', process.execPath, ['--import', 'tsx', join(root, 'test/load/reference-subscriber.ts'), JSON.stringify({ url, username: ctx.gatewayId, password: secret, resultFile })], { cwd: root }),
    );
    await subscriber.next('subscribed', 60_000);
    const sentFile = join(dir, 'sent.json');
    const gen = await startGenerator(ctx, url, sentFile, referenceWarmupS(ctx.plan), ctx.plan.referenceMeasureS);
    ctx.say(`mosquitto ${ctx.beds} beds: ${gen.connected.devices} devices connected in ${(gen.connected.seconds as number).toFixed(1)} s`);
    const m = await measureWindow(ctx, gen, [broker, subscriber], ctx.plan.referenceMeasureS);
    const stopped = await gen.proc.next('stopped', 120_000);
    await gen.proc.next('done', 60_000);
    await ctx.cleanup.stop(gen.proc);
    // Every sample was acknowledged by the broker; the subscriber is at most a few ms behind: a second is plenty
    // (anything still missing after it shows up in the accounting as lost, not hidden).
    await sleep(1000);
    await ctx.cleanup.stop(subscriber);
    const received = JSON.parse(readFileSync(resultFile, 'utf8')) as SubscriberResult;
    const sent = JSON.parse(readFileSync(sentFile, 'utf8')) as SentFile;
    const accounting = account(
      sent,
      received.rows.map(([d, b, seq]) => `${d}\u0000${b}\u0000${seq}`),
    );
    const w = m.window;
    const seconds = (w.to - w.from) / 1000;
    const rows = received.rows.filter((r) => inWindow(w, r[3]));
    return {
      beds: ctx.beds,
      waveBeds: gen.connected.waveBeds as number,
      measureS: round1(seconds),
      offered: { samplesPerS: round1(m.end.vitalsPerS as number), wavesPerS: round1(m.end.wavesPerS as number) },
      delivered: { samplesPerS: round1(rows.length / seconds), wavesPerS: round1(received.waves.filter((at) => inWindow(w, at)).length / seconds) },
      connectS: round1(gen.connected.seconds as number),
      lateSteps: stopped.lateSteps as number,
      accounting,
      latencyMs: {
        deviceToBroker: normaliseStats(m.end.pubackMs as Record<string, number | null>),
        deviceToSubscriber: latencyStats(rows.map((r) => r[4] - r[3])),
      },
      cpuPercent: m.cpuPercent,
      peakRssMb: m.peakRss,
    };
  } finally {
    await ctx.cleanup.stop(broker);
  }
}
