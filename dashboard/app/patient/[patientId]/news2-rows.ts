/**
 * The NEWS2 breakdown as the RCP chart lays it out: one row per parameter in chart order, with the rounded value that
 * was scored, its sub-score, or "not observed" (a partial score is never padded with normals), and the response band.
 * @see contracts/src/news2.ts (the scoring), shared/design/CLINICAL.md ("Response thresholds")
 */
import { News2Parameter, type Consciousness, type News2Response, type News2Result } from '@vigil/contracts';

export interface News2Row {
  parameter: News2Parameter;
  label: string;
  /** The scored value with its unit, or null when not observed. */
  value: string | null;
  /** Sub-score 0–3, or null when not observed. */
  points: number | null;
}

const CONSCIOUSNESS_TEXT: Readonly<Record<Consciousness, string>> = {
  alert: 'Alert',
  confusion: 'New confusion',
  voice: 'Voice',
  pain: 'Pain',
  unresponsive: 'Unresponsive',
};

const UNIT: Readonly<Partial<Record<News2Parameter, string>>> = { rr: '/min', spo2: '%', sbp: 'mmHg', hr: 'bpm', temp: '\u00b0C' };

function label(parameter: News2Parameter, scale: 1 | 2): string {
  switch (parameter) {
    case 'rr':
      return 'Respiration rate';
    case 'spo2':
      return `SpO\u2082 (scale ${scale})`;
    case 'o2':
      return 'Air or oxygen?';
    case 'sbp':
      return 'Systolic blood pressure';
    case 'hr':
      return 'Pulse';
    case 'consciousness':
      return 'Consciousness';
    case 'temp':
      return 'Temperature';
  }
}

function valueText(parameter: News2Parameter, value: number | boolean | Consciousness): string {
  if (typeof value === 'boolean') return value ? 'Oxygen' : 'Air';
  if (typeof value === 'string') return CONSCIOUSNESS_TEXT[value];
  const text = parameter === 'temp' ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${UNIT[parameter] ?? ''}`.trim();
}

export function news2Rows(result: News2Result): News2Row[] {
  return News2Parameter.options.map((parameter) => {
    const scored = result.parameters[parameter];
    return {
      parameter,
      label: label(parameter, result.spo2Scale),
      value: scored ? valueText(parameter, scored.value) : null,
      points: scored ? scored.points : null,
    };
  });
}

/** The clinical response of each band (CLINICAL.md, "Response thresholds"). */
export const RESPONSE_TEXT: Readonly<Record<News2Response, string>> = {
  routine: 'Routine monitoring',
  low: 'Low: nurse assessment',
  'low-medium': 'Low–medium: urgent ward review (a parameter scored 3)',
  medium: 'Medium: urgent response',
  high: 'High: emergency response',
};

/** Short band label for the header. */
export const RESPONSE_SHORT: Readonly<Record<News2Response, string>> = {
  routine: 'routine',
  low: 'low',
  'low-medium': 'low–medium',
  medium: 'MEDIUM',
  high: 'HIGH',
};
