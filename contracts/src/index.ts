/** @vigil/contracts: the schemas, types, topics, vitals catalogue and error codes every part shares. */
export * from './ids.ts';
export * from './vitals.ts';
export * from './device-messages.ts';
export * from './waveform.ts';
export * from './ground-truth.ts';
export * from './session.ts';
export * from './alarm.ts';
export * from './limit-rules.ts';
export * from './uplink.ts';
export * from './ward-state.ts';
export * from './rest.ts';
export * from './socket-events.ts';
export * from './topics.ts';
export * from './errors.ts';
export * from './payload.ts';
export * from './config.ts';
export * from './registry.ts';
