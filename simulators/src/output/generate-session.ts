/**
 * Generate a session file as fast as the machine goes: step the ward's devices through event time and write what
 * they send, merged in send order, with ground-truth records interleaved at their onset. Same seed and options →
 * byte-identical file.
 */
import type { SessionMessage } from '@vigil/contracts';
import { createSessionWriter } from '@vigil/contracts/session-io';
import { createProgress } from '../progress.ts';
import { buildWard, type WardOptions } from '../ward.ts';

export interface GenerateOptions extends WardOptions {
  out: string;
  /** Step of the event-time loop, ms. */
  stepMs?: number;
  progress?: boolean;
}

export interface GenerateResult {
  messages: number;
  truth: number;
  bytes: number;
  patientHours: number;
  seconds: number;
}

const bySendOrder = (a: SessionMessage, b: SessionMessage) =>
  a.sentAt - b.sentAt || (a.message.deviceId < b.message.deviceId ? -1 : a.message.deviceId > b.message.deviceId ? 1 : 0);

export async function generateSession(options: GenerateOptions): Promise<GenerateResult> {
  const started = process.hrtime.bigint();
  const stepMs = options.stepMs ?? 1000;
  const ward = buildWard({ ...options, bootIds: 'seeded' });
  const writer = createSessionWriter(options.out, ward.header('simulator', {
    seed: options.seed,
    scenarioMix: options.scenarioMix ?? null,
    bedScenarios: options.bedScenarios ?? null,
    artifacts: options.artifacts ?? 'default',
    deviceOptions: options.deviceOptions ?? null,
  }));
  const progress = createProgress('generating', options.end - options.start, process.stderr, options.progress ?? false);
  let nextTruth = 0;
  let messages = 0;
  const batch: SessionMessage[] = [];
  for (let t = options.start; t <= options.end; t += stepMs) {
    while (nextTruth < ward.truth.length && ward.truth[nextTruth]!.onset <= t) {
      await writer.write({ kind: 'truth', event: ward.truth[nextTruth++]! });
    }
    batch.length = 0;
    for (const generator of ward.generators) for (const m of generator.advance(t)) batch.push(m);
    batch.sort(bySendOrder);
    for (const m of batch) {
      const pending = writer.write(m);
      if (pending) await pending;
    }
    messages += batch.length;
    progress.update(t - options.start);
  }
  while (nextTruth < ward.truth.length) await writer.write({ kind: 'truth', event: ward.truth[nextTruth++]! });
  const { bytes } = await writer.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const patientHours = (ward.patients.length * (options.end - options.start)) / 3_600_000;
  progress.finish(`${messages} messages, ${ward.truth.length} ground-truth events, ${patientHours.toFixed(1)} patient-hours in ${seconds.toFixed(1)} s`);
  return { messages, truth: ward.truth.length, bytes, patientHours, seconds };
}
