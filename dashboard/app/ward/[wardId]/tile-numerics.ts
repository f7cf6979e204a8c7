/**
 * Which numerics a bed tile shows and how each is chosen and formatted, from the contracts' VITALS catalogue
 * (labels, display units, decimals): HR, SpO2, RR, BP (invasive if present, else non-invasive), temperature
 * (body, else wearable skin temperature).
 */
import { VITALS, formatVital, type BedState, type LatestValue, type SampleQuality, type VitalCode } from '@vigil/contracts';

export type TileVital = 'hr' | 'spo2' | 'rr' | 'bp' | 'temp';

export interface TileNumeric {
  key: TileVital;
  label: string;
  unit: string;
  /** Just the formatted number(s), e.g. "72" or "120/80 (93)"; "--" when not measured. */
  text: string;
  /** Worst quality among the values shown, or null when nothing is measured. */
  quality: SampleQuality | null;
  /** Event time of the oldest value shown, or null when nothing is measured. */
  t: number | null;
}

/** A value older than this, relative to the newest event time in the ward, is stale (project requirement). */
export const STALE_AFTER_MS = 30_000; // 30 s

const MISSING = '--';
const QUALITY_RANK: Record<SampleQuality, number> = { good: 0, questionable: 1, artifact: 2, sensor_off: 3 };

function single(key: TileVital, code: VitalCode, value: LatestValue | undefined): TileNumeric {
  const def = VITALS[code];
  return {
    key,
    label: def.shortLabel,
    unit: def.displayUnit,
    // A sensor that is off measures nothing: its last number would be read as the patient's (a probe-off SpO2 is 0).
    text: value && value.quality !== 'sensor_off' ? formatVital(code, value.value, false) : MISSING,
    quality: value ? value.quality : null,
    t: value ? value.t : null,
  };
}

/** "sys/dia (mean)" from one source; the invasive line wins because it is continuous and more accurate. */
function bloodPressure(latest: BedState['latest']): TileNumeric {
  const invasive = latest.abpSys ?? latest.abpDia ?? latest.abpMean;
  const [sys, dia, mean] = (invasive ? ['abpSys', 'abpDia', 'abpMean'] : ['nibpSys', 'nibpDia', 'nibpMean']) as [VitalCode, VitalCode, VitalCode];
  const parts = [sys, dia, mean].map((code) => ({ code, value: latest[code] }));
  const present = parts.flatMap((p) => (p.value ? [p.value] : []));
  const fmt = (p: (typeof parts)[number]) => (p.value ? formatVital(p.code, p.value.value, false) : MISSING);
  const [s, d, m] = parts as [(typeof parts)[number], (typeof parts)[number], (typeof parts)[number]];
  return {
    key: 'bp',
    label: invasive ? 'ABP' : 'NIBP',
    unit: VITALS[sys].displayUnit,
    text: present.length === 0 ? MISSING : `${fmt(s)}/${fmt(d)} (${fmt(m)})`,
    quality: present.reduce<SampleQuality | null>((w, v) => (w === null || QUALITY_RANK[v.quality] > QUALITY_RANK[w] ? v.quality : w), null),
    t: present.length === 0 ? null : Math.min(...present.map((v) => v.t)),
  };
}

const cache = new WeakMap<BedState, TileNumeric[]>();

/** The tile's numerics; cached per bed object, which the store replaces only when that bed changes. */
export function tileNumerics(bed: BedState): TileNumeric[] {
  let numerics = cache.get(bed);
  if (!numerics) {
    const { latest } = bed;
    const useSkin = latest.temp === undefined && latest.skinTemp !== undefined;
    numerics = [
      single('hr', 'hr', latest.hr),
      single('spo2', 'spo2', latest.spo2),
      single('rr', 'rr', latest.rr),
      // Display order: HR SpO2 / RR Temp / BP across the tile's width (its text is the longest).
      useSkin ? single('temp', 'skinTemp', latest.skinTemp) : single('temp', 'temp', latest.temp),
      bloodPressure(latest),
    ];
    cache.set(bed, numerics);
  }
  return numerics;
}

/**
 * The tile vitals that are stale, as a space-separated string: a primitive, so a memoised tile re-renders only
 * when its own staleness changes, not every time the ward's newest time moves on.
 */
export function staleVitals(bed: BedState, newestT: number): string {
  return tileNumerics(bed)
    .filter((n) => n.t !== null && newestT - n.t > STALE_AFTER_MS)
    .map((n) => n.key)
    .join(' ');
}
