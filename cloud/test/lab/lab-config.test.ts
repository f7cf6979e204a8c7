import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMIT_RULES, isPmError, type LabResult } from '@vigil/contracts';
import { parseLabArgs } from '../../src/replay/lab/lab-cli.ts';
import { labConfig, limitRulesOf, loadLabConfig, loadLabConfigDir, parseLabConfig } from '../../src/replay/lab/lab-config.ts';
import { labSummaryCsv } from '../../src/replay/lab/lab-csv.ts';
import { triggerPriority } from '../../src/replay/lab/news2-trigger.ts';
import { tempDir } from './lab-fixtures.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return isPmError(err) ? `${err.code}: ${err.message}` : String(err);
  }
  return 'no error';
}

describe('lab configurations', () => {
  it('fills in defaults: default rules, NEWS2 with the RCP bands, no LSTM', () => {
    const c = labConfig({ name: 'plain' });
    expect(limitRulesOf(c)).toEqual(DEFAULT_LIMIT_RULES);
    expect(c.news2).toEqual({ enabled: true, triggers: [{ minTotal: 7, priority: 'high' }, { minTotal: 5, priority: 'medium' }, { singleParameter3: true, priority: 'low' }] });
    expect(c.lstm).toEqual({ enabled: false, model: 'vigil-lstm', threshold: { mode: 'model' } });
    expect(c.news2WindowMs).toBe(60_000);
  });

  it('applies replacements, disabled codes and delays (per code wins over the global one)', () => {
    const c = labConfig({ name: 'x', limits: { disable: ['TEMP_HIGH'], delayMs: 30_000, delayByCode: { SPO2_LOW: 60_000 } } });
    const rules = limitRulesOf(c);
    expect(rules.map((r) => r.code)).not.toContain('TEMP_HIGH');
    expect(rules.find((r) => r.code === 'SPO2_LOW')!.delayMs).toBe(60_000);
    expect(rules.find((r) => r.code === 'HR_HIGH')!.delayMs).toBe(30_000);
    expect(limitRulesOf(labConfig({ name: 'none', limits: { base: 'none' } }))).toEqual([]);
  });

  it('refuses bad configurations with PM_ERR_LAB_CONFIG naming the field', () => {
    expect(codeOf(() => parseLabConfig({ name: 'x', limits: { delayMs: -1 } }, 'x.json'))).toMatch(/^PM_ERR_LAB_CONFIG: x\.json: limits\.delayMs: /);
    expect(codeOf(() => parseLabConfig({ name: 'x', colour: 'red' }))).toMatch(/^PM_ERR_LAB_CONFIG: configuration: \(root\): Unrecognized key/);
    expect(codeOf(() => parseLabConfig({ name: 'Bad Name' }))).toMatch(/PM_ERR_LAB_CONFIG: configuration: name: name: 1-63/);
    expect(codeOf(() => parseLabConfig({ name: 'x', lstm: { enabled: true, model: '../etc' } }))).toMatch(/lstm\.model/);
    expect(codeOf(() => parseLabConfig({ name: 'x', news2: { triggers: [] } }))).toMatch(/news2\.triggers/);
    // A delay for a rule that does not run is a typo.
    expect(codeOf(() => parseLabConfig({ name: 'x', limits: { disable: ['HR_HIGH'], delayByCode: { HR_HIGH: 1000 } } }))).toMatch(/delayByCode\.HR_HIGH: no limit rule HR_HIGH/);
  });

  it('reads files and directories, naming the file on errors', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ name: 'a' }));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ name: 'b', news2: { enabled: false } }));
    expect((await loadLabConfigDir(dir)).map((c) => c.name)).toEqual(['a', 'b']);
    writeFileSync(join(dir, 'c.json'), '{ "name": ');
    await expect(loadLabConfig(join(dir, 'c.json'))).rejects.toThrow(/c\.json: invalid JSON/);
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ name: 'a' }));
    await expect(loadLabConfigDir(dir)).rejects.toThrow(/two configurations are named a/);
    await expect(loadLabConfig(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read \(ENOENT\)/);
  });

  it('the shipped example configurations are valid', async () => {
    const names = (await loadLabConfigDir(join(import.meta.dirname, '../../lab/configs'))).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['default-limits', 'news2-driven', 'lstm-assisted']));
  });
});

describe('NEWS2 triggers', () => {
  const result = (total: number, anySingleThree: boolean) => ({ total, anySingleThree }) as Parameters<typeof triggerPriority>[0];
  it('gives the highest priority among the triggers that hold', () => {
    const rcp = labConfig({ name: 'x' }).news2.triggers;
    expect([triggerPriority(result(7, false), rcp), triggerPriority(result(5, true), rcp), triggerPriority(result(3, true), rcp), triggerPriority(result(4, false), rcp)]).toEqual(['high', 'medium', 'low', null]);
    const highOnly = [{ minTotal: 7, priority: 'high' as const }];
    expect([triggerPriority(result(6, true), highOnly), triggerPriority(result(9, false), highOnly)]).toEqual([null, 'high']);
  });
});

describe('lab CLI arguments and CSV', () => {
  it('reads several values per flag and refuses what it does not know', () => {
    expect(parseLabArgs(['--sessions', 'a.gz', 'b.gz', '--configs', 'dir', '--out', 'o', '--no-plots'])).toMatchObject({ sessions: ['a.gz', 'b.gz'], configs: ['dir'], out: 'o', plots: false });
    expect(codeOf(() => parseLabArgs(['--sessions', 'a', '--configs', 'c']))).toMatch(/PM_ERR_VALIDATION: --out/);
    expect(codeOf(() => parseLabArgs(['--speed', '2']))).toMatch(/unknown option --speed/);
    expect(codeOf(() => parseLabArgs(['stray']))).toMatch(/unexpected argument stray/);
    expect(parseLabArgs(['--help'])).toBe('help');
  });

  it('quotes CSV fields that need it (RFC 4180)', () => {
    const c = { name: 'a', alarms: { total: 1, perPatientDay: 1, byPriority: { high: { perPatientDay: 0 }, medium: { perPatientDay: 1 }, low: { perPatientDay: 0 } }, byKind: { physiological: { perPatientDay: 1 }, advisory: { perPatientDay: 0 } } }, events: { events: 0, caught: 0, missed: 0, recall: 0, precision: 0, falseAlarmsPerPatientDay: 0, leadTimeMin: { all: { median: null, q1: null, q3: null } }, leadOverReferenceMin: null }, suppressedByDelay: [], model: { name: 'm, "x"', version: '1', kind: 'k', threshold: 't' } };
    const csv = labSummaryCsv({ patients: 1, patientDays: 1, reference: 'a', configs: [c] } as unknown as LabResult);
    const [header, line] = csv.split('\r\n');
    expect(header!.split(',')[0]).toBe('config');
    expect(line!.endsWith('"m, ""x"" 1 (t)"')).toBe(true);
  });
});
