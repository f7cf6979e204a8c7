import { describe, it, expect } from 'vitest';
import { VITALS, VITAL_CODES, VitalCode, formatVital, isPlausible } from '../src/index.ts';

// Transcribed from shared/design/CLINICAL.md, "Vital-sign codes". Blood pressure shares LOINC between the invasive
// (150037/8/9) and non-invasive (150021/2/3) numerics; MDC tells them apart.
const CLINICAL: Array<[VitalCode, string, number, string, string]> = [
  ['hr', '8867-4', 147842, 'MDC_ECG_HEART_RATE', '/min'],
  ['spo2', '59408-5', 150456, 'MDC_PULS_OXIM_SAT_O2', '%'],
  ['rr', '9279-1', 151562, 'MDC_RESP_RATE', '/min'],
  ['abpSys', '8480-6', 150037, 'MDC_PRESS_BLD_ART_ABP_SYS', 'mm[Hg]'],
  ['abpDia', '8462-4', 150038, 'MDC_PRESS_BLD_ART_ABP_DIA', 'mm[Hg]'],
  ['abpMean', '8478-0', 150039, 'MDC_PRESS_BLD_ART_ABP_MEAN', 'mm[Hg]'],
  ['nibpSys', '8480-6', 150021, 'MDC_PRESS_BLD_NONINV_SYS', 'mm[Hg]'],
  ['nibpDia', '8462-4', 150022, 'MDC_PRESS_BLD_NONINV_DIA', 'mm[Hg]'],
  ['nibpMean', '8478-0', 150023, 'MDC_PRESS_BLD_NONINV_MEAN', 'mm[Hg]'],
  ['temp', '8310-5', 150364, 'MDC_TEMP_BODY', 'Cel'],
  ['sao2', '2708-6', 150324, 'MDC_SAT_O2_ART', '%'],
];

/** LOINC check digit: mod 10 (Luhn) over the part before the hyphen. */
function loincCheckDigitOk(loinc: string): boolean {
  const [body, check] = loinc.split('-') as [string, string];
  let sum = 0;
  [...body].reverse().forEach((ch, i) => {
    let d = Number(ch);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  });
  return (10 - (sum % 10)) % 10 === Number(check);
}

describe('vital codes match CLINICAL.md', () => {
  it.each(CLINICAL)('%s: LOINC %s, MDC %i %s, UCUM %s', (code, loinc, mdcCode, mdcRef, ucum) => {
    const def = VITALS[code];
    expect(def.code).toBe(code);
    expect(def.loinc).toBe(loinc);
    expect(def.mdc).toEqual({ code: mdcCode, ref: mdcRef });
    expect(def.ucum).toBe(ucum);
  });

  it('hr carries the oximeter pulse rate 149530 as an alternative', () => {
    expect(VITALS.hr.mdcAlternatives.map((a) => a.code)).toEqual([149530]);
    expect(VITALS.hr.mdcAlternatives[0]?.ref).toBe('MDC_PULS_OXIM_PULS_RATE');
  });

  it('the check table covers every clinical vital of the catalogue', () => {
    const clinical = VITAL_CODES.filter((c) => VITALS[c].group !== 'device' && c !== 'skinTemp');
    expect(clinical.slice().sort()).toEqual(CLINICAL.map(([c]) => c).sort());
  });
});

describe('catalogue consistency', () => {
  it('has one definition per code, keyed by its own code', () => {
    expect(Object.keys(VITALS).sort()).toEqual([...VITAL_CODES].sort());
    for (const code of VITAL_CODES) expect(VITALS[code].code).toBe(code);
  });

  it('every MDC numeric code (including alternatives) is unique', () => {
    const codes = VITAL_CODES.flatMap((c) => [VITALS[c].mdc?.code, ...VITALS[c].mdcAlternatives.map((a) => a.code)])
      .filter((c): c is number => c !== undefined);
    expect(new Set(codes).size).toBe(codes.length);
    const refs = VITAL_CODES.flatMap((c) => [VITALS[c].mdc?.ref, ...VITALS[c].mdcAlternatives.map((a) => a.ref)])
      .filter((r): r is string => r !== undefined);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('physiological MDC codes are in the SCADA partition (2 × 2^16 + term)', () => {
    for (const [code] of CLINICAL) {
      const mdc = VITALS[code].mdc;
      expect(mdc).not.toBeNull();
      expect(Math.floor((mdc?.code ?? 0) / 65536), code).toBe(2);
    }
  });

  it('every LOINC code has a valid mod-10 check digit', () => {
    for (const code of VITAL_CODES) {
      const loinc = VITALS[code].loinc;
      if (loinc !== null) expect(loincCheckDigitOk(loinc), `${code} ${loinc}`).toBe(true);
    }
    // The checker itself rejects a wrong digit.
    expect(loincCheckDigitOk('8867-5')).toBe(false);
  });

  it('pressures are mm[Hg], rates /min, saturation %', () => {
    for (const code of VITAL_CODES) {
      if (VITALS[code].group === 'pressure') expect(VITALS[code].ucum, code).toBe('mm[Hg]');
    }
    expect(VITALS.hr.ucum).toBe('/min');
    expect(VITALS.rr.ucum).toBe('/min');
    expect(VITALS.spo2.ucum).toBe('%');
  });

  it.each([...VITAL_CODES])('%s: plausible range contains the normal range', (code) => {
    const { plausible, normal } = VITALS[code];
    expect(plausible.min).toBeLessThan(plausible.max);
    expect(normal.min).toBeLessThanOrEqual(normal.max);
    expect(plausible.min).toBeLessThanOrEqual(normal.min);
    expect(plausible.max).toBeGreaterThanOrEqual(normal.max);
  });

  it('the catalogue is frozen', () => {
    expect(Object.isFrozen(VITALS)).toBe(true);
  });
});

describe('isPlausible', () => {
  it.each([
    ['hr', 0, true],
    ['hr', 350, true],
    ['hr', 350.1, false],
    ['hr', -1, false],
    ['spo2', 100, true],
    ['spo2', 101, false],
    ['temp', 24.9, false],
    ['temp', 25, true],
    ['temp', 45.1, false],
    ['rr', 121, false],
    ['hr', Number.NaN, false],
    ['hr', Number.POSITIVE_INFINITY, false],
    ['hr', Number.NEGATIVE_INFINITY, false],
  ] as Array<[VitalCode, number, boolean]>)('%s %d → %s', (code, value, expected) => {
    expect(isPlausible(code, value)).toBe(expected);
  });
});

describe('formatVital', () => {
  it.each([
    ['temp', 37.24, true, '37.2 \u00b0C'],
    ['temp', 37, true, '37.0 \u00b0C'],
    ['hr', 72.6, true, '73 bpm'],
    ['spo2', 97, true, '97 %'],
    ['nibpSys', 120, true, '120 mmHg'],
    ['rr', 16, true, '16 /min'],
    ['activity', 0.123, true, '0.12 g'],
    ['temp', 36.86, false, '36.9'],
    ['hr', 60, false, '60'],
  ] as Array<[VitalCode, number, boolean, string]>)('%s %d (unit %s) → %s', (code, value, withUnit, text) => {
    expect(formatVital(code, value, withUnit)).toBe(text);
  });

  it('includes the unit by default', () => {
    expect(formatVital('abpMean', 85)).toBe('85 mmHg');
  });
});
