/**
 * PhysioNet 2012 → session file: the mapping on a hand-written stay (devices, irregular timing, SaO2 never SpO2,
 * duplicates, left-out values, ground truth and outcome), bad files reported by name and line, and every file of the
 * shared set A importing into a valid session.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GroundTruthEvent, SessionHeader, SessionMessage } from '@vigil/contracts';
import { readSession } from '@vigil/contracts/session-io';
import { importPhysioNetSession, PHYSIONET_BASE_MS } from '@vigil/models/physionet';

const dir = mkdtempSync(join(tmpdir(), 'vigil-pn-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SET_A = '/work/shared/data/physionet-2012/set-a';
const OUTCOMES_A = '/work/shared/data/physionet-2012/Outcomes-a.txt';

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

const STAY = [
  'Time,Parameter,Value',
  '00:00,RecordID,900001',
  '00:00,Age,91',
  '00:00,Gender,1',
  '00:00,Height,-1',
  '00:00,ICUType,2',
  '00:00,Weight,80.5',
  '00:00,GCS,15',
  '00:03,HR,88',
  '00:03,MAP,60',
  '00:03,SysABP,95',
  '00:03,NIMAP,70',
  '00:03,SaO2,93',
  '00:03,HR,90', // a second HR at the same minute: a second monitor sample
  '00:41,HR,0', // failed reading: left out
  '00:41,Temp,2.3', // implausible: left out
  '01:10,MAP,58',
  '02:15,MAP,62',
  '03:00,MAP,75',
  '03:00,Lactate,2.1',
].join('\n');

const OUTCOMES = ['RecordID,SAPS-I,SOFA,Length_of_stay,Survival,In-hospital_death', '900001,20,8,12,10,1'].join('\n');

describe('importPhysioNetSession', () => {
  it('maps one stay to a patient with monitor, invasive, cuff and blood-gas devices at its real times', async () => {
    const stays = join(dir, 'hand');
    rmSync(stays, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(stays);
    writeFileSync(join(stays, '900001.txt'), STAY);
    writeFileSync(join(dir, 'outcomes.txt'), OUTCOMES);
    const out = join(dir, 'hand.vsession.jsonl');
    const report = await importPhysioNetSession({ inputs: [stays], out, wardId: 'pn-test', outcomesFile: join(dir, 'outcomes.txt') });
    expect(report).toMatchObject({ files: 1, stays: 1, patients: 1, devices: 4, rejected: [] });
    expect(report.counts).toEqual({ observations: 13, values: 9, implausible: 1, zero: 1, notCarried: 2 });

    const { header, messages, truth } = await load(out);
    const base = PHYSIONET_BASE_MS;
    expect(header).toMatchObject({ source: 'physionet-2012', start: base, end: base + 48 * 3_600_000 });
    expect(header.patients).toEqual([
      {
        patientId: 'physionet-900001', wardId: 'pn-test', bedId: 'physionet-900001', age: 91, sex: 'male', weightKg: 80.5,
        outcome: { inHospitalDeath: true, survivalDays: 10, lengthOfStayDays: 12 },
      },
    ]);
    expect(header.devices.map((d) => d.deviceId)).toEqual(['monitor', 'invasive', 'cuff', 'bloodgas'].map((s) => `physionet-900001-${s}`));

    const vitals = messages.filter((m) => m.channel === 'vitals').map((m) => ({ d: m.message.deviceId.split('-')[2], t: (m.sentAt - base) / 60_000, seq: m.message.seq, v: m.message.vitals }));
    expect(vitals).toEqual([
      { d: 'bloodgas', t: 3, seq: 0, v: { sao2: 93 } },
      { d: 'cuff', t: 3, seq: 0, v: { nibpMean: 70 } },
      { d: 'invasive', t: 3, seq: 0, v: { abpMean: 60, abpSys: 95 } },
      { d: 'monitor', t: 3, seq: 0, v: { hr: 88 } },
      { d: 'monitor', t: 3, seq: 1, v: { hr: 90 } },
      { d: 'invasive', t: 70, seq: 1, v: { abpMean: 58 } },
      { d: 'invasive', t: 135, seq: 2, v: { abpMean: 62 } },
      { d: 'invasive', t: 180, seq: 3, v: { abpMean: 75 } },
    ]);
    expect(messages.some((m) => m.channel === 'vitals' && 'spo2' in m.message.vitals)).toBe(false);
    // Each device announces itself before its first sample.
    expect(messages.filter((m) => m.channel === 'status').map((m) => [m.message.deviceId.split('-')[2], m.message.state])).toEqual([
      ['bloodgas', 'online'], ['cuff', 'online'], ['invasive', 'online'], ['monitor', 'online'],
    ]);
    // MAP < 65 from 00:03 to 02:15 (> 1 h), back to 75 at 03:00: one hypotension event, typed as such.
    expect(truth).toEqual([
      expect.objectContaining({ type: 'hypotension', patientId: 'physionet-900001', onset: base + 3 * 60_000, offset: base + 180 * 60_000, severity: 'moderate' }),
    ]);
  });

  it('reports bad files by name and line and imports the rest', async () => {
    const mixed = join(dir, 'mixed');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(mixed, { recursive: true });
    writeFileSync(join(mixed, '900001.txt'), STAY);
    writeFileSync(join(mixed, '900002.txt'), 'Time,Parameter,Value\n00:00,RecordID,900002\n00:10,HR,abc\n');
    writeFileSync(join(mixed, '900003.txt'), 'Time;Parameter;Value\n');
    const rejected: string[] = [];
    const report = await importPhysioNetSession({ inputs: [mixed], out: join(dir, 'mixed.vsession.jsonl.gz'), onRejected: (r) => rejected.push(r.reason) });
    expect(report.stays).toBe(1);
    expect(report.rejected.map((r) => [r.file, r.line, r.code])).toEqual([
      ['900002.txt', 3, 'PM_ERR_PHYSIONET_VALUE'],
      ['900003.txt', 1, 'PM_ERR_PHYSIONET_HEADER'],
    ]);
    expect(rejected[0]).toMatch(/^900002\.txt:3: value "abc" is not a number/);
  });

  it.skipIf(!existsSync(SET_A))('imports every file of PhysioNet 2012 set A into one valid session', async () => {
    const out = join(dir, 'set-a.vsession.jsonl.gz');
    const report = await importPhysioNetSession({ inputs: [SET_A], out, outcomesFile: OUTCOMES_A });
    expect(report.rejected).toEqual([]);
    expect(report.files).toBe(4000);
    expect(report.stays).toBe(4000);
    // Stays with only laboratory rows have nothing a device sends: reported, not in the session.
    expect(report.patients + report.staysWithoutSamples.length).toBe(4000);
    expect(report.staysWithoutSamples.length).toBeLessThan(100);
    expect(report.deaths).toBeGreaterThan(500);

    // The whole file reads back through the validating reader, in send order, with SaO2 never as SpO2.
    let header: SessionHeader | undefined;
    let last = 0;
    let messages = 0;
    let sao2 = 0;
    for await (const item of readSession(out)) {
      if (item.kind === 'header') header = item.header;
      else if (item.kind === 'message') {
        expect(item.sentAt).toBeGreaterThanOrEqual(last);
        last = item.sentAt;
        messages++;
        if (item.channel === 'vitals') {
          if (item.message.vitals.sao2 !== undefined) sao2++;
          if (item.message.vitals.spo2 !== undefined) throw new Error(`spo2 in ${item.message.deviceId}`);
        }
      }
    }
    expect(header!.patients).toHaveLength(report.patients);
    expect(messages).toBe(report.messages);
    expect(sao2).toBeGreaterThan(1000);
  }, 120_000);
});
