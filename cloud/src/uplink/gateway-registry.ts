/** Gateways allowed to send uplink data, each bound to the one ward it serves. */
import { readFileSync } from 'node:fs';
import { GatewayRegistry, type GatewayRegistryEntry } from '@vigil/contracts';
import { verifySecret } from '@vigil/contracts/credentials';

export class GatewayDirectory {
  readonly #byId: Map<string, GatewayRegistryEntry>;

  constructor(registry: GatewayRegistry) {
    this.#byId = new Map(registry.gateways.map((g) => [g.gatewayId, g]));
  }

  static fromFile(path: string): GatewayDirectory {
    const parsed = GatewayRegistry.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new Error(`gateway registry ${path} is invalid: ${parsed.error.issues[0]?.message ?? ''}`);
    return new GatewayDirectory(parsed.data);
  }

  get(gatewayId: string): GatewayRegistryEntry | undefined {
    return this.#byId.get(gatewayId);
  }

  /** The gateways serving a ward (one, normally). */
  ofWard(wardId: string): GatewayRegistryEntry[] {
    return [...this.#byId.values()].filter((g) => g.wardId === wardId);
  }

  wards(): string[] {
    return [...new Set([...this.#byId.values()].map((g) => g.wardId))];
  }

  authenticate(gatewayId: string | undefined, secret: Buffer | undefined): GatewayRegistryEntry | undefined {
    const entry = gatewayId ? this.#byId.get(gatewayId) : undefined;
    return entry && verifySecret(secret, entry.secretHash) ? entry : undefined;
  }
}
