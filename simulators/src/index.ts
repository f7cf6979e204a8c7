export * from './rng.ts';
export * from './model.ts';
export * from './clock.ts';
export * from './config.ts';
export * from './ward.ts';
export * from './live-simulator.ts';
export * from './output/generate-session.ts';
export * from './transport/mqtt-device-link.ts';
