/**
 * What a bed tile says besides numbers: its technical states (IEC 60601-1-8 counts equipment and communication
 * faults as alarm conditions) and its NEWS2 band. Pure, so that the wording can be tested without a browser.
 */
import { VITALS, type Alarm, type BedState, type News2Response } from '@vigil/contracts';

export interface TechState {
  key: string;
  /** Short, upper-case text for the tile (never colour alone). */
  text: string;
  /** Longer explanation for the tooltip and screen readers. */
  title: string;
}

/** Below this the battery is low: the vitals catalogue's normal minimum of 'battery' and the edge's BATTERY_LOW mark. */
export const BATTERY_LOW_PERCENT = VITALS.battery.normal.min;

/** Technical alarm codes of the edge (edge/src/local-alarms/technical-alarms.ts) as tile text. */
const TECH_ALARM_TEXT: Record<string, string> = {
  SENSOR_OFF: 'SENSOR OFF',
  BATTERY_LOW: 'BATTERY LOW',
  BATTERY_CRITICAL: 'BATTERY CRITICAL',
  DATA_GAP: 'NO DATA',
  DEVICE_OFFLINE: 'LINK DOWN',
  CLOUD_LINK_DOWN: 'LINK DOWN',
};

/**
 * The bed's technical states, most serious first: devices offline (link down), sensors off, batteries low, then any
 * other open technical alarm of the bed. Each state appears once even when a device status and an alarm both say it.
 */
export function techStates(bed: BedState, alarms: readonly Alarm[]): TechState[] {
  const states: TechState[] = [];
  const seen = new Set<string>();
  const add = (key: string, text: string, title: string) => {
    if (seen.has(text)) return;
    seen.add(text);
    states.push({ key, text, title });
  };
  for (const d of bed.devices) if (d.state === 'offline') add(`off-${d.deviceId}`, 'LINK DOWN', `${d.deviceType} ${d.deviceId} is offline`);
  const sensorOff = Object.entries(bed.latest).filter(([, v]) => v?.quality === 'sensor_off').map(([code]) => code);
  if (sensorOff.length > 0) add('sensor-off', 'SENSOR OFF', `sensor off: ${sensorOff.join(', ')}`);
  for (const d of bed.devices) {
    if (d.battery !== null && d.battery < BATTERY_LOW_PERCENT) add(`batt-${d.deviceId}`, `BATT ${Math.round(d.battery)}%`, `${d.deviceType} ${d.deviceId} battery ${d.battery}%`);
  }
  for (const a of alarms) {
    if (a.kind !== 'technical' || a.bedId !== bed.bedId || a.state === 'ended') continue;
    const text = TECH_ALARM_TEXT[a.code] ?? a.code.replaceAll('_', ' ');
    // A battery alarm says the same as the BATT n% state already shown.
    if (text.startsWith('BATTERY') && states.some((s) => s.text.startsWith('BATT '))) continue;
    add(`alarm-${a.id}`, text, a.message);
  }
  return states;
}

/**
 * NEWS2 bands as the RCP clinical-response chart names them (CLINICAL.md, "Response thresholds"): aggregate 0–4 low
 * (0 is "routine" monitoring, still the low band), any single parameter scoring 3 low–medium, 5–6 medium, ≥ 7 high.
 * The cloud decides the band (contracts/src/news2.ts); this only names it.
 */
export const NEWS2_BAND_TEXT: Readonly<Record<News2Response, string>> = {
  routine: 'LOW',
  low: 'LOW',
  'low-medium': 'LOW–MED',
  medium: 'MEDIUM',
  high: 'HIGH',
};

/** A score whose window ended this long before the ward's newest data is shown as stale (two 60 s NEWS2 windows and then some). */
export const NEWS2_STALE_AFTER_MS = 5 * 60_000; // 5 min
