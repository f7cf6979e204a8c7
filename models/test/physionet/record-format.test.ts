import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord, PhysioNetFormatError, readRecordDirectory, type RecordRejection } from '../../src/physionet/index.ts';

const GOOD = [
  'Time,Parameter,Value',
  '00:00,RecordID,132539',
  '00:00,Age,54',
  '00:00,Gender,0',
  '00:00,Height,-1',
  '00:00,ICUType,4',
  '00:00,Weight,-1',
  '00:07,GCS,15',
  '00:07,HR,73',
  '00:07,NIMAP,92.33',
  '00:37,HR,77',
  '00:37,Weight,80.5',
].join('\n');

describe('parseRecord', () => {
  it('reads descriptors (-1 = missing) and the time series in minutes since admission', () => {
    const r = parseRecord(GOOD, '/some/dir/132539.txt');
    expect(r.file).toBe('132539.txt');
    expect(r.recordId).toBe('132539');
    expect(r.descriptors).toEqual({ age: 54, gender: 'female', heightCm: null, icuType: 'sicu', weightKg: null });
    expect(r.observations.map((o) => [o.minutes, o.parameter, o.value, o.line])).toEqual([
      [7, 'GCS', 15, 8],
      [7, 'HR', 73, 9],
      [7, 'NIMAP', 92.33, 10],
      [37, 'HR', 77, 11],
      [37, 'Weight', 80.5, 12], // a later Weight is data, not the descriptor
    ]);
  });

  it('accepts CRLF, a BOM, trailing blank lines, spaces around fields and an unknown parameter', () => {
    const text = '\ufeff' + GOOD.replace('00:07,HR,73', '00:07, HR , 73').split('\n').join('\r\n') + '\r\n00:40,FancyNewLab,1.5\r\n\r\n\r\n';
    const r = parseRecord(text, '132539.txt');
    expect(r.recordId).toBe('132539');
    expect(r.observations.find((o) => o.parameter === 'HR')?.value).toBe(73);
    expect(r.observations.at(-1)).toMatchObject({ minutes: 40, parameter: 'FancyNewLab', value: 1.5, line: 13 });
  });

  it('accepts any number of hour digits and sorts rows given out of time order (stable within a minute)', () => {
    const text = ['Time,Parameter,Value', '00:00,RecordID,1', '123:05,HR,80', '1:00,HR,70', '1:00,Temp,37'].join('\n');
    const r = parseRecord(text, '1.txt');
    expect(r.observations.map((o) => [o.minutes, o.parameter])).toEqual([[60, 'HR'], [60, 'Temp'], [123 * 60 + 5, 'HR']]);
  });

  it('takes descriptors that are not the first rows at 00:00 (set A has such files)', () => {
    const text = ['Time,Parameter,Value', '00:00,RecordID,7', '00:00,Age,60', '00:00,HR,90', '00:00,Gender,1', '00:00,ICUType,2'].join('\n');
    const r = parseRecord(text, '7.txt');
    expect(r.descriptors).toMatchObject({ gender: 'male', icuType: 'csru' });
    expect(r.observations).toEqual([{ minutes: 0, parameter: 'HR', value: 90, line: 4 }]);
  });

  const bad: Array<[string, string, string, number, string]> = [
    ['an empty file', '', 'PM_ERR_PHYSIONET_HEADER', 1, 'the file is empty'],
    ['a wrong header', 'Time;Parameter;Value\n00:00,RecordID,1', 'PM_ERR_PHYSIONET_HEADER', 1, 'expected header'],
    ['a non-numeric value', GOOD.replace('00:37,HR,77', '00:37,HR,abc'), 'PM_ERR_PHYSIONET_VALUE', 11, 'value "abc" is not a number'],
    ['an empty value', GOOD.replace('00:37,HR,77', '00:37,HR,'), 'PM_ERR_PHYSIONET_VALUE', 11, 'value "" is not a number'],
    ['NaN', GOOD.replace('00:37,HR,77', '00:37,HR,NaN'), 'PM_ERR_PHYSIONET_VALUE', 11, 'value "NaN" is not a number'],
    ['a hex value', GOOD.replace('00:37,HR,77', '00:37,HR,0x4D'), 'PM_ERR_PHYSIONET_VALUE', 11, 'value "0x4D" is not a number'],
    ['a bad time', GOOD.replace('00:37,HR,77', '0037,HR,77'), 'PM_ERR_PHYSIONET_TIME', 11, 'time "0037" is not hh:mm'],
    ['minutes over 59', GOOD.replace('00:37,HR,77', '00:75,HR,77'), 'PM_ERR_PHYSIONET_TIME', 11, 'minutes must be 00-59'],
    ['a negative time', GOOD.replace('00:37,HR,77', '-1:00,HR,77'), 'PM_ERR_PHYSIONET_TIME', 11, 'is not hh:mm'],
    ['too many fields', GOOD.replace('00:37,HR,77', '00:37,HR,77,1'), 'PM_ERR_PHYSIONET_FIELDS', 11, 'expected 3 fields'],
    ['too few fields', GOOD.replace('00:37,HR,77', '00:37 HR 77'), 'PM_ERR_PHYSIONET_FIELDS', 11, 'got 1'],
    ['an empty parameter', GOOD.replace('00:37,HR,77', '00:37,,77'), 'PM_ERR_PHYSIONET_PARAMETER', 11, 'parameter "" is not a name'],
    ['no RecordID', GOOD.replace('00:00,RecordID,132539\n', ''), 'PM_ERR_PHYSIONET_DESCRIPTOR', 2, 'no RecordID descriptor'],
    ['a RecordID not matching the file name', GOOD.replace('RecordID,132539', 'RecordID,132540'), 'PM_ERR_PHYSIONET_DESCRIPTOR', 2, 'does not match the file name'],
    ['a second RecordID', `${GOOD}\n00:00,RecordID,99`, 'PM_ERR_PHYSIONET_DESCRIPTOR', 13, 'second RecordID 99'],
    ['an unknown Gender code', GOOD.replace('Gender,0', 'Gender,2'), 'PM_ERR_PHYSIONET_DESCRIPTOR', 4, 'Gender 2 is not one of 0, 1, -1'],
    ['an unknown ICUType', GOOD.replace('ICUType,4', 'ICUType,5'), 'PM_ERR_PHYSIONET_DESCRIPTOR', 6, 'ICUType 5 is not one of'],
  ];
  it.each(bad)('rejects %s, naming file and line', (_what, text, code, line, detail) => {
    let caught: unknown;
    try {
      parseRecord(text, 'x/132539.txt');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PhysioNetFormatError);
    const e = caught as PhysioNetFormatError;
    expect(e.code).toBe(code);
    expect(e.file).toBe('132539.txt');
    expect(e.line).toBe(line);
    expect(e.message.startsWith(`132539.txt:${line}: `)).toBe(true);
    expect(e.message).toContain(detail);
  });

  it('counts lines the way an editor does, CRLF and blank lines included', () => {
    const text = GOOD.split('\n').join('\r\n').replace('00:37,HR,77', '\r\n00:37,HR,7 7');
    expect(() => parseRecord(text, '132539.txt')).toThrow('132539.txt:12: value "7 7" is not a number');
  });
});

describe('readRecordDirectory', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-physionet-'));
    await writeFile(join(dir, '2.txt'), 'Time,Parameter,Value\n00:00,RecordID,2\n00:05,HR,80\n');
    await writeFile(join(dir, '10.txt'), 'Time,Parameter,Value\n00:00,RecordID,10\n00:05,HR,oops\n');
    await writeFile(join(dir, '11.txt'), 'Time,Parameter,Value\n00:00,RecordID,11\n');
    await writeFile(join(dir, 'notes.md'), 'not a record');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams every .txt in RecordID order, reports a bad file by name and reason, and goes on', async () => {
    const rejected: RecordRejection[] = [];
    const ids: string[] = [];
    for await (const r of readRecordDirectory(dir, { onError: (x) => rejected.push(x) })) ids.push(r.recordId);
    expect(ids).toEqual(['2', '11']);
    expect(rejected.map((x) => [x.file, x.reason, x.error.code])).toEqual([
      ['10.txt', '10.txt:3: value "oops" is not a number', 'PM_ERR_PHYSIONET_VALUE'],
    ]);
  });

  it('stops after `limit` files', async () => {
    const ids: string[] = [];
    for await (const r of readRecordDirectory(dir, { onError: () => {}, limit: 1 })) ids.push(r.recordId);
    expect(ids).toEqual(['2']);
  });

  it('throws when the directory itself is missing', async () => {
    const read = async () => {
      for await (const _ of readRecordDirectory(join(dir, 'nope'), { onError: () => {} })) void _;
    };
    await expect(read()).rejects.toThrow(/ENOENT/);
  });
});
