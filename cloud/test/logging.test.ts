/** pino logs at info level carry no patient identifier (STYLE.md; logs leave the hospital more easily than data). */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startHarness } from './cloud-harness.ts';
import { sample } from './fixtures.ts';

describe('cloud logs', () => {
  it('name no patient at info level through ingest, alarms, REST reads, refusals and alarm actions', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const h = await startHarness({ logger: pino({ level: 'info' }, sink) });
    try {
      const T = 1_764_000_000_000;
      const records = Array.from({ length: 90 }, (_, s) => sample({ patientId: 'pt-secret-77', bedId: 'bed-01', deviceId: 'mon-a1', seq: s, t: T + s * 1000, vitals: { hr: 30 }, quality: { hr: 'good' } }));
      await h.feed('ward-a', records);
      const alarm = h.cloud.pipeline.openAlarms('ward-a')[0]!;
      await h.get('/api/patients/pt-secret-77/vitals', h.tokens['nurse-a']);
      await h.get('/api/patients/pt-secret-77', h.tokens['nurse-b']);
      await h.send('POST', `/api/alarms/${alarm.id}/acknowledge`, {}, h.tokens['nurse-a']);
      await h.send('POST', '/api/patients/pt-secret-77/waveform-requests', { durationS: 30 }, h.tokens['nurse-a']);
    } finally {
      await h.close();
    }
    expect(lines.length).toBeGreaterThan(2); // the service did log (start, restore, stop)
    expect(lines.filter((l) => l.includes('pt-secret-77'))).toEqual([]);
  });
});
