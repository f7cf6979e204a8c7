export * from './config.ts';
export * from './edge-gateway.ts';
export * from './device-registry.ts';
export * from './provisioning.ts';
export * from './outbox.ts';
export * from './dedupe.ts';
export * from './signal-quality.ts';
