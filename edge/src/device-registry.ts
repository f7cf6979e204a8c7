/** The ward's device registry: device → patient, bed, ward, type, and the hash of its secret. */
import { readFileSync } from 'node:fs';
import { DeviceRegistry, type DeviceRegistryEntry } from '@vigil/contracts';
import { verifySecret } from '@vigil/contracts/credentials';

export class DeviceDirectory {
  readonly #byId: Map<string, DeviceRegistryEntry>;

  constructor(registry: DeviceRegistry) {
    this.#byId = new Map(registry.devices.map((d) => [d.deviceId, d]));
  }

  static fromFile(path: string): DeviceDirectory {
    const parsed = DeviceRegistry.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new Error(`device registry ${path} is invalid: ${parsed.error.issues[0]?.message ?? ''}`);
    return new DeviceDirectory(parsed.data);
  }

  get(deviceId: string): DeviceRegistryEntry | undefined {
    return this.#byId.get(deviceId);
  }

  /** The registry entry when the secret is right, otherwise undefined (unknown device and wrong secret look alike). */
  authenticate(deviceId: string | undefined, secret: Buffer | undefined): DeviceRegistryEntry | undefined {
    if (!deviceId) return undefined;
    const entry = this.#byId.get(deviceId);
    return entry && verifySecret(secret, entry.secretHash) ? entry : undefined;
  }

  get size(): number {
    return this.#byId.size;
  }

  all(): DeviceRegistryEntry[] {
    return [...this.#byId.values()];
  }
}
