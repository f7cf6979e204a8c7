export * from './config.ts';
export * from './cloud-service.ts';
export * from './uplink/gateway-registry.ts';
export * from './storage/sqlite-store.ts';
