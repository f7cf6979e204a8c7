/**
 * Per-value quality verdicts. Values are never silently dropped: each one carries its verdict downstream, and
 * detectors decide what a questionable value may trigger. The full artifact detector (spikes, flat lines,
 * drop-outs) builds on this.
 */
import type { DeviceChannelFlag, SampleQuality, VitalCode } from '@vigil/contracts';

type Vitals = Partial<Record<VitalCode, number>>;
type Flags = Partial<Record<VitalCode, DeviceChannelFlag>> | undefined;

const FLAG_QUALITY: Record<DeviceChannelFlag, SampleQuality> = {
  ok: 'good',
  probe_off: 'sensor_off',
  lead_off: 'sensor_off',
  motion: 'artifact',
  low_perfusion: 'questionable',
  calibrating: 'questionable',
};

export function assessQuality(vitals: Vitals, flags: Flags): Partial<Record<VitalCode, SampleQuality>> {
  const quality: Partial<Record<VitalCode, SampleQuality>> = {};
  for (const code of Object.keys(vitals) as VitalCode[]) {
    const flag = flags?.[code];
    quality[code] = flag ? FLAG_QUALITY[flag] : 'good';
  }
  return quality;
}
