export * from './rng.ts';
export * from './physiology.ts';
export * from './scenarios.ts';
export * from './device-models.ts';
export * from './simulated-device.ts';
export * from './ward-simulator.ts';
export * from './config.ts';
