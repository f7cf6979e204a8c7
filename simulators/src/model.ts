/**
 * The simulator's internal seams. A PatientModel is the patient's true physiology over event time; a
 * DeviceGenerator turns it into exactly the messages a real device would send (with its own rate, noise, faults,
 * sequence numbers and send times). Both are pure and seeded: same seed and configuration, same output.
 * Transports (MQTT in real or accelerated time, session files as fast as possible) only deliver what they produce.
 */
import type { DeviceType, GroundTruthEvent, SessionDevice, SessionMessage, SessionPatient } from '@vigil/contracts';

/** The patient's true state at one instant (what a perfect sensor would read). */
export interface TrueState {
  /** Heart rate, /min. */
  hr: number;
  /** Peripheral oxygen saturation, %. */
  spo2: number;
  /** Respiratory rate, /min. */
  rr: number;
  /** Arterial pressures, mmHg. */
  sbp: number;
  dbp: number;
  map: number;
  /** Core temperature, °C. */
  temp: number;
  /** Movement intensity, g (0 at rest). */
  activity: number;
  /** Breathing phase in [0, 1): drives respiratory sinus arrhythmia and the pleth baseline. */
  breathPhase: number;
}

export interface PatientProfile {
  age: number;
  sex: 'female' | 'male';
  weightKg: number;
  /** Resting values at the circadian mean, drawn from the profile. */
  baseline: Omit<TrueState, 'breathPhase' | 'activity'>;
}

export interface PatientModel {
  readonly patient: SessionPatient;
  readonly profile: PatientProfile;
  /** True state at event time `t` (ms). Calls must come in non-decreasing `t`. */
  at(t: number): TrueState;
  /** Clinical ground truth of this patient (episodes), known from the start. */
  truth(): Omit<GroundTruthEvent, 'id'>[];
}

export interface DeviceGenerator {
  readonly device: SessionDevice & { deviceType: DeviceType };
  readonly bootId: string;
  /**
   * Advance the device to event time `t` (ms, non-decreasing, typically every 1 s) and return the messages it sends
   * at or before `t`, in send order, each with its `sentAt`. May return none (drop-out, device removed, dead).
   */
  advance(t: number): SessionMessage[];
  /** Artifact and technical-fault ground truth of this device (known from the start). */
  truth(): Omit<GroundTruthEvent, 'id'>[];
}
