/** Waveform chunks (ECG ~250 Hz, pleth ~125 Hz), sent by monitors in chunks of about one second. */
import { z } from 'zod';
import { BootId, DeviceId, EpochMs, Seq } from './ids.ts';

export const WaveformKind = z.enum(['ecg', 'pleth']);
export type WaveformKind = z.infer<typeof WaveformKind>;

/** Units of `values`: ECG in microvolts, pleth in arbitrary units 0–4095 (a 12-bit ADC). */
export const WAVEFORM_UNITS: Readonly<Record<WaveformKind, string>> = { ecg: 'uV', pleth: '1' };

export const MAX_WAVEFORM_VALUES = 2000;

export const WaveformChunk = z
  .object({
    v: z.literal(1),
    deviceId: DeviceId,
    bootId: BootId,
    seq: Seq,
    /** Event time of the first value. */
    t: EpochMs,
    kind: WaveformKind,
    /** Sampling rate, Hz. */
    hz: z.number().int().min(1).max(2000),
    values: z.array(z.number().int().min(-100_000).max(100_000)).min(1).max(MAX_WAVEFORM_VALUES),
  })
  .strict();
export type WaveformChunk = z.infer<typeof WaveformChunk>;
