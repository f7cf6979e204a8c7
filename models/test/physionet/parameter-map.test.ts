import { VITALS } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import { classifyValue, consciousnessFromGcs, PARAMETER_MAP } from '../../src/physionet/index.ts';

describe('parameter map', () => {
  it('maps the monitored vitals, invasive and cuff pressures apart, in the catalogue units', () => {
    expect(Object.fromEntries(Object.entries(PARAMETER_MAP).map(([p, m]) => [p, m.code]))).toEqual({
      HR: 'hr', RespRate: 'rr', Temp: 'temp',
      SysABP: 'abpSys', DiasABP: 'abpDia', MAP: 'abpMean',
      NISysABP: 'nibpSys', NIDiasABP: 'nibpDia', NIMAP: 'nibpMean',
    });
    for (const m of Object.values(PARAMETER_MAP)) expect(m.ucum).toBe(VITALS[m.code].ucum);
  });

  it('never turns SaO2 (arterial, blood gas) into spo2', () => {
    expect(Object.values(PARAMETER_MAP).some((m) => m.code === 'spo2')).toBe(false);
    for (const v of [0, 85, 97, 100]) expect(classifyValue('SaO2', v).kind).not.toBe('vital');
    expect(classifyValue('SaO2', 97)).toEqual({ kind: 'aside', parameter: 'SaO2', value: 97 });
  });

  it('keeps GCS aside and leaves other parameters unmapped', () => {
    expect(classifyValue('GCS', 9)).toEqual({ kind: 'aside', parameter: 'GCS', value: 9 });
    expect(classifyValue('GCS', 2)).toEqual({ kind: 'aside-dropped', parameter: 'GCS', reason: 'implausible' });
    for (const p of ['Urine', 'FiO2', 'Weight', 'Lactate', 'SomethingNew']) expect(classifyValue(p, 1)).toEqual({ kind: 'unmapped' });
  });

  it('marks the data\u2019s 0 for rates and pressures as artifact, keeps good values good', () => {
    expect(classifyValue('HR', 0)).toMatchObject({ kind: 'vital', code: 'hr', quality: 'artifact', artifact: 'zero' });
    expect(classifyValue('SysABP', 0)).toMatchObject({ kind: 'vital', code: 'abpSys', source: 'invasive', quality: 'artifact' });
    expect(classifyValue('NIMAP', 0)).toMatchObject({ kind: 'vital', code: 'nibpMean', source: 'cuff', quality: 'artifact' });
    expect(classifyValue('MAP', 64)).toEqual({ kind: 'vital', code: 'abpMean', source: 'invasive', value: 64, quality: 'good' });
  });

  it('drops values outside the catalogue\u2019s plausible range instead of guessing a unit', () => {
    expect(classifyValue('Temp', -17.8)).toEqual({ kind: 'dropped', code: 'temp', reason: 'implausible' });
    expect(classifyValue('Temp', 2.3)).toEqual({ kind: 'dropped', code: 'temp', reason: 'implausible' });
    expect(classifyValue('Temp', 19)).toEqual({ kind: 'dropped', code: 'temp', reason: 'implausible' });
    expect(classifyValue('DiasABP', -1)).toEqual({ kind: 'dropped', code: 'abpDia', reason: 'implausible' });
    expect(classifyValue('HR', 400)).toEqual({ kind: 'dropped', code: 'hr', reason: 'implausible' });
    expect(classifyValue('Temp', 36.6)).toMatchObject({ kind: 'vital', quality: 'good' });
  });

  it('calls only GCS 15 alert (the documented assumption)', () => {
    expect(consciousnessFromGcs(15)).toBe('alert');
    for (const g of [14, 13, 8, 3]) expect(consciousnessFromGcs(g)).not.toBe('alert');
    expect([14, 12, 8, 3].map(consciousnessFromGcs)).toEqual(['confusion', 'voice', 'pain', 'unresponsive']);
  });
});
