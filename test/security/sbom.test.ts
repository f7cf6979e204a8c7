/**
 * The SBOM (scripts/sbom.sh → `npm sbom`, CycloneDX): produced, well-formed, and listing the packages Vigil's
 * security rests on — the brokers and their parser, the web stack, storage, crypto-adjacent and the workspaces — at
 * the versions actually installed, each with its package URL, so a vulnerability feed can be matched against it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

interface Component {
  name: string;
  group?: string;
  version: string;
  purl?: string;
  type: string;
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-sbom-'));
/** Where the brief's security argument leans: if one of these is missing from the SBOM, the SBOM is wrong. */
const KEY_PACKAGES = ['aedes', 'mqtt', 'mqtt-packet', 'express', 'cors', 'socket.io', 'zod', 'better-sqlite3', 'pg', 'pino', 'prom-client', 'next', 'react', 'node-cron'];
const WORKSPACES = ['@vigil/contracts', '@vigil/edge', '@vigil/cloud', '@vigil/simulators', '@vigil/models', '@vigil/dashboard'];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sbom(file: string, env: Record<string, string> = {}): { components: Component[]; bomFormat: string; specVersion: string } {
  execFileSync('bash', ['scripts/sbom.sh', file], { env: { ...process.env, ...env }, stdio: 'pipe', timeout: 120_000 });
  return JSON.parse(readFileSync(file, 'utf8'));
}

describe('SBOM (scripts/sbom.sh)', () => {
  it('is CycloneDX JSON listing the key packages at their installed versions, and every workspace', () => {
    const bom = sbom(join(dir, 'full.cdx.json'));
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(Number(bom.specVersion)).toBeGreaterThanOrEqual(1.4);
    const byName = new Map(bom.components.map((c) => [`${c.group ? `${c.group}/` : ''}${c.name}`, c]));
    // npm names workspace components by folder; their package URL carries the package name.
    const purls = new Set(bom.components.map((c) => decodeURIComponent(c.purl ?? '')));
    for (const name of KEY_PACKAGES) {
      const component = byName.get(name);
      expect(component, `${name} in the SBOM`).toBeDefined();
      const installed = (JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
      expect(component!.version, name).toBe(installed);
      expect(component!.purl, name).toBe(`pkg:npm/${name}@${installed}`);
    }
    for (const workspace of WORKSPACES) expect([...purls].some((p) => p.startsWith(`pkg:npm/${workspace}@`)), workspace).toBe(true);
    expect(bom.components.every((c) => c.purl?.startsWith('pkg:npm/') && c.version)).toBe(true);
  });

  it('with VIGIL_SBOM_OMIT_DEV=1 leaves the build and test tools out, keeps the runtime', () => {
    const bom = sbom(join(dir, 'runtime.cdx.json'), { VIGIL_SBOM_OMIT_DEV: '1' });
    const names = new Set(bom.components.map((c) => c.name));
    for (const runtime of ['aedes', 'express', 'socket.io', 'better-sqlite3']) expect(names.has(runtime), runtime).toBe(true);
    for (const devOnly of ['vitest', 'typescript', 'playwright-core']) expect(names.has(devOnly), devOnly).toBe(false);
  });
});
