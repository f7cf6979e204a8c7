/**
 * Session files from the simulator: same seed and options → one hash; records in send order; ground truth written
 * apart from the messages and consistent with what the devices sent.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSession } from '@vigil/contracts/session-io';
import type { GroundTruthEvent, SessionHeader, SessionMessage } from '@vigil/contracts';
import { generateSession, type GenerateOptions } from '../../src/output/generate-session.ts';
import { wardDevices } from '../../src/ward.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = Date.UTC(2026, 0, 1);
const options = (out: string, seed = 'det'): GenerateOptions => ({
  devices: wardDevices('ward-g', 6, 2),
  seed,
  start,
  end: start + 2 * 3_600_000,
  scenarioMix: 'sepsis:0.34,hypoxaemia:0.17',
  artifacts: 'default',
  out: join(dir, out),
});
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function load(path: string) {
  let header: SessionHeader | undefined;
  const messages: SessionMessage[] = [];
  const truth: GroundTruthEvent[] = [];
  for await (const item of readSession(path)) {
    if (item.kind === 'header') header = item.header;
    else if (item.kind === 'message') messages.push(item);
    else truth.push(item.event);
  }
  return { header: header!, messages, truth };
}

describe('generateSession', () => {
  it('is byte-identical for the same seed and options, and differs for another seed', async () => {
    await generateSession(options('a.vsession.jsonl.gz'));
    await generateSession(options('b.vsession.jsonl.gz'));
    await generateSession(options('c.vsession.jsonl.gz', 'other'));
    expect(sha(join(dir, 'a.vsession.jsonl.gz'))).toBe(sha(join(dir, 'b.vsession.jsonl.gz')));
    expect(sha(join(dir, 'c.vsession.jsonl.gz'))).not.toBe(sha(join(dir, 'a.vsession.jsonl.gz')));
  });

  it('writes messages in send order, with unique sample keys except for ground-truth duplicate sends', async () => {
    const { header, messages, truth } = await load(join(dir, 'a.vsession.jsonl.gz'));
    expect(header.patients).toHaveLength(6);
    expect(header.devices).toHaveLength(6);
    for (let i = 1; i < messages.length; i++) expect(messages[i]!.sentAt).toBeGreaterThanOrEqual(messages[i - 1]!.sentAt);
    const seen = new Map<string, number>();
    for (const m of messages) {
      if (m.channel !== 'vitals') continue;
      const key = `${m.message.deviceId}/${m.message.bootId}/${m.message.seq}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const repeated = [...seen.entries()].filter(([, n]) => n > 1).map(([k]) => k.split('/')[0]);
    const duplicateDevices = new Set(truth.filter((e) => e.type === 'duplicate_sends').map((e) => e.deviceId));
    for (const deviceId of repeated) expect(duplicateDevices.has(deviceId)).toBe(true);
  });

  it('records every scenario episode as ground truth, and the affected vitals do move', async () => {
    const { messages, truth } = await load(join(dir, 'a.vsession.jsonl.gz'));
    const clinical = truth.filter((e) => e.category === 'clinical');
    expect(clinical.length).toBe(3); // 34 % sepsis + 17 % hypoxaemia of 6 patients: 2 + 1
    expect(new Set(truth.map((e) => e.id)).size).toBe(truth.length);
    for (const event of clinical) {
      const hr = (from: number, to: number) => {
        const values = messages
          .filter((m) => m.channel === 'vitals' && m.message.t >= from && m.message.t < to && header(m) === event.patientId)
          .map((m) => (m.channel === 'vitals' ? m.message.vitals[event.affected.includes('spo2') ? 'spo2' : 'hr'] : undefined))
          .filter((v): v is number => v !== undefined);
        return values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
      };
      const before = hr(start, event.onset);
      const after = hr(Math.min(event.peak ?? event.onset, start + 2 * 3_600_000 - 600_000), start + 2 * 3_600_000);
      // Sepsis raises HR; hypoxaemia lowers SpO2: the mean after the peak differs from before onset.
      expect(Math.abs(after - before), `${event.type} ${event.patientId}`).toBeGreaterThan(2);
    }
    function header(m: SessionMessage): string {
      return `pt-ward-g-${m.message.deviceId.slice(-2)}`;
    }
  });
});
