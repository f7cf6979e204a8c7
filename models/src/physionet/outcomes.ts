/**
 * The outcomes file of a PhysioNet 2012 set (Outcomes-a.txt, -b, -c): one row per stay,
 * `RecordID,SAPS-I,SOFA,Length_of_stay,Survival,In-hospital_death`. -1 means unknown in the score and length columns;
 * Survival is days from ICU admission to death, -1 when no death was recorded (a survivor, or a death outside the
 * follow-up). In-hospital_death is 0 or 1.
 * @see https://physionet.org/content/challenge-2012/1.0.0/ ("Outcome-related descriptors")
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { PhysioNetFormatError } from './record-format.ts';

export const PhysioNetOutcome = z.object({
  recordId: z.string().regex(/^\d+$/),
  sapsI: z.number().nullable(),
  sofa: z.number().nullable(),
  lengthOfStayDays: z.number().nullable(),
  /** Days from ICU admission to death; null when no death was recorded. */
  survivalDays: z.number().nullable(),
  inHospitalDeath: z.boolean(),
});
export type PhysioNetOutcome = z.infer<typeof PhysioNetOutcome>;

const COLUMNS = ['RecordID', 'SAPS-I', 'SOFA', 'Length_of_stay', 'Survival', 'In-hospital_death'] as const;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parse an outcomes file; `file` names it in errors. Same leniency as parseRecord (BOM, CRLF, blank lines, spaces). */
export function parseOutcomes(text: string, file: string): Map<string, PhysioNetOutcome> {
  const name = basename(file);
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\n|\r/);
  const header = lines[0]?.split(',').map((f) => f.trim()).join(',') ?? '';
  if (header !== COLUMNS.join(',')) {
    throw new PhysioNetFormatError('PM_ERR_PHYSIONET_HEADER', name, 1, `expected header "${COLUMNS.join(',')}", got ${JSON.stringify(header.slice(0, 80))}`);
  }
  const outcomes = new Map<string, PhysioNetOutcome>();
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.trim() === '') continue;
    const fields = raw.split(',').map((f) => f.trim());
    if (fields.length !== COLUMNS.length) {
      throw new PhysioNetFormatError('PM_ERR_PHYSIONET_FIELDS', name, lineNo, `expected ${COLUMNS.length} fields, got ${fields.length}`);
    }
    const recordId = fields[0]!;
    if (!/^\d+$/.test(recordId)) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_DESCRIPTOR', name, lineNo, `RecordID ${JSON.stringify(recordId)} is not a whole number`);
    const numbers = fields.slice(1).map((text, k) => {
      const value = NUMBER.test(text) ? Number(text) : Number.NaN;
      if (!Number.isFinite(value)) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_VALUE', name, lineNo, `${COLUMNS[k + 1]} ${JSON.stringify(text)} is not a number`);
      return value;
    });
    const [sapsI, sofa, los, survival, death] = numbers as [number, number, number, number, number];
    if (death !== 0 && death !== 1) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_VALUE', name, lineNo, `In-hospital_death ${death} is not 0 or 1`);
    if (outcomes.has(recordId)) throw new PhysioNetFormatError('PM_ERR_PHYSIONET_DUPLICATE', name, lineNo, `RecordID ${recordId} appears twice`);
    const known = (v: number) => (v === -1 ? null : v);
    outcomes.set(recordId, { recordId, sapsI: known(sapsI), sofa: known(sofa), lengthOfStayDays: known(los), survivalDays: known(survival), inHospitalDeath: death === 1 });
  }
  return outcomes;
}

/** Read and parse an outcomes file; a read failure is a PhysioNetFormatError (PM_ERR_PHYSIONET_READ). */
export async function readOutcomes(path: string): Promise<Map<string, PhysioNetOutcome>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PhysioNetFormatError('PM_ERR_PHYSIONET_READ', basename(path), null, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseOutcomes(text, path);
}
