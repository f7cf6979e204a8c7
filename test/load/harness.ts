/**
 * The load harness: for each bed count of the plan, a freshly provisioned ward run through Vigil (vigil-level.ts)
 * and then, in the same run, through bare mosquitto (reference-level.ts), each with fresh processes so that peak
 * memory is per level. Processes are not pinned: on a shared two-core machine pinning would not isolate them from
 * other work anyway; the report names what the rest of the machine used meanwhile (CPU `others`).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionWard, writeWardProvisioning } from '@vigil/edge';
import { Cleanup } from '../../edge/bench/bench-processes.ts';
import type { LoadPlan } from './plan.ts';
import { runReferenceLevel } from './reference-level.ts';
import type { LevelResult } from './results.ts';
import { runVigilLevel, type LevelContext } from './vigil-level.ts';

export const LOAD_WARD = { wardId: 'ward-load', gatewayId: 'gw-ward-load' } as const;

export async function runLoad(plan: LoadPlan, say: (line: string) => void = (l) => process.stderr.write(`[load] ${l}\n`)): Promise<LevelResult[]> {
  const cleanup = new Cleanup();
  const onExit = () => cleanup.now();
  process.once('exit', onExit);
  const dir = cleanup.dir(mkdtempSync(join(tmpdir(), 'vigil-load-')));
  const levels: LevelResult[] = [];
  try {
    for (const beds of plan.levels) {
      const levelDir = join(dir, `beds-${beds}`);
      const provisioning = join(levelDir, 'provisioning');
      mkdirSync(levelDir, { recursive: true });
      writeWardProvisioning(provisionWard({ ...LOAD_WARD, beds, wearableBeds: 0 }), provisioning);
      const ctx: LevelContext = { beds, plan, dir: levelDir, provisioning, ...LOAD_WARD, cleanup, say };
      const vigil = await runVigilLevel(ctx);
      say(`vigil ${beds} beds: ${summary(vigil.stored.samplesPerS, vigil.latencyMs.deviceToStored.p99, vigil.cpuPercent)}`);
      let reference = null;
      if (plan.reference) {
        reference = await runReferenceLevel(ctx);
        say(`mosquitto ${beds} beds: ${summary(reference.delivered.samplesPerS, reference.latencyMs.deviceToSubscriber.p99, reference.cpuPercent)}`);
      }
      levels.push({ beds, vigil, reference });
    }
    return levels;
  } finally {
    await cleanup.all();
    process.removeListener('exit', onExit);
  }
}

function summary(perS: number, p99: number | null, cpu: Record<string, number>): string {
  return `${perS} samples/s, p99 ${p99 ?? 'n/a'} ms, CPU ${Object.entries(cpu).map(([k, v]) => `${k} ${v}`).join(', ')}`;
}
