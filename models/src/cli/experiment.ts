/**
 * The datasets and settings shared by the training and evaluation CLIs, in one place, so the report always
 * describes the data the models were trained and calibrated on. Seeds differ per split: training, validation and
 * test wards never share a patient.
 */
import type { SimulatedDatasetOptions } from '../data/simulated-dataset.ts';

/**
 * Deteriorations in ~70 % of patients (the rest stable), so that a held-out ward of 100 patients has enough events of
 * every type to report recall per type; real wards see far fewer — false alarms per patient-day are what transfers.
 */
export const SCENARIO_MIX =
  'sepsis:0.1,respiratory_failure:0.1,fever:0.08,hypoxaemia:0.1,haemorrhage:0.08,opioid_respiratory_depression:0.08,tachyarrhythmia:0.08,bradycardia:0.08';

export interface Splits {
  train: SimulatedDatasetOptions;
  validation: SimulatedDatasetOptions;
  test: SimulatedDatasetOptions;
}

export function simulatedSplits(seed: string, scale = 1): Splits {
  const ward = (split: string, patients: number, hours: number): SimulatedDatasetOptions => ({
    seed: `${seed}:${split}`,
    patients: Math.max(4, Math.round(patients * scale)),
    hours,
    scenarioMix: SCENARIO_MIX,
    artifacts: 'default',
  });
  return { train: ward('train', 100, 12), validation: ward('validation', 60, 24), test: ward('test', 100, 24) };
}

/** PhysioNet: hourly data, so 3 h windows every hour (a window usually holds a value of each charted vital). */
export const PHYSIONET_WINDOW_MS = 3 * 3_600_000;
export const PHYSIONET_SLIDE_MS = 3_600_000;
/** Share of set A stays used for training; the rest is the test split (by a seeded hash of the RecordID). */
export const PHYSIONET_TRAIN_SHARE = 0.7;

export const GEOMETRY = {
  simulated: { steps: 60, chainPeriod: 30, units: 32, reconstructionSteps: 5 },
  physionet: { steps: 24, chainPeriod: 12, units: 32, reconstructionSteps: 3 },
} as const;
