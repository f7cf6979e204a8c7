import { describe, expect, it } from 'vitest';
import { parseOutcomes, PhysioNetFormatError } from '../../src/physionet/index.ts';

const HEADER = 'RecordID,SAPS-I,SOFA,Length_of_stay,Survival,In-hospital_death';

describe('parseOutcomes', () => {
  it('reads one outcome per stay; -1 is unknown', () => {
    const text = `\ufeff${HEADER}\r\n132539,6,1,5,-1,0\r\n132551,19,6,3,3,1\r\n132744,-1,-1,-1,-1,0\r\n\r\n`;
    const outcomes = parseOutcomes(text, 'Outcomes-a.txt');
    expect(outcomes.size).toBe(3);
    expect(outcomes.get('132539')).toEqual({ recordId: '132539', sapsI: 6, sofa: 1, lengthOfStayDays: 5, survivalDays: null, inHospitalDeath: false });
    expect(outcomes.get('132551')?.inHospitalDeath).toBe(true);
    expect(outcomes.get('132744')).toMatchObject({ sapsI: null, sofa: null, lengthOfStayDays: null });
  });

  const bad: Array<[string, string, string, number, string]> = [
    ['a wrong header', 'RecordID,SAPS,SOFA\n1,2,3', 'PM_ERR_PHYSIONET_HEADER', 1, 'expected header'],
    ['a short row', `${HEADER}\n1,2,3`, 'PM_ERR_PHYSIONET_FIELDS', 2, 'expected 6 fields, got 3'],
    ['a non-numeric score', `${HEADER}\n1,6,x,5,-1,0`, 'PM_ERR_PHYSIONET_VALUE', 2, 'SOFA "x" is not a number'],
    ['a death flag of 2', `${HEADER}\n1,6,1,5,-1,2`, 'PM_ERR_PHYSIONET_VALUE', 2, 'In-hospital_death 2 is not 0 or 1'],
    ['a bad RecordID', `${HEADER}\nabc,6,1,5,-1,0`, 'PM_ERR_PHYSIONET_DESCRIPTOR', 2, 'RecordID "abc"'],
    ['a duplicate RecordID', `${HEADER}\n1,6,1,5,-1,0\n1,6,1,5,-1,1`, 'PM_ERR_PHYSIONET_DUPLICATE', 3, 'RecordID 1 appears twice'],
  ];
  it.each(bad)('rejects %s, naming file and line', (_what, text, code, line, detail) => {
    let caught: unknown;
    try {
      parseOutcomes(text, '/data/Outcomes-a.txt');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PhysioNetFormatError);
    const e = caught as PhysioNetFormatError;
    expect([e.code, e.file, e.line]).toEqual([code, 'Outcomes-a.txt', line]);
    expect(e.message).toContain(`Outcomes-a.txt:${line}: `);
    expect(e.message).toContain(detail);
  });
});
