/**
 * docker-compose.yml is validated by Debian's docker-compose (no engine runs here) and its normalised form is
 * checked: one service per part, each with a health check, started in data-flow order by health conditions.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Service {
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  const normalised = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: root, encoding: 'utf8' });
  const services = (parse(normalised) as { services: Record<string, Service> }).services;

  it('has one service per part plus the provisioning step', () => {
    expect(Object.keys(services).sort()).toEqual(['cloud', 'dashboard', 'edge', 'provision', 'simulator']);
  });

  it.each(['cloud', 'edge', 'simulator', 'dashboard'])('%s has a health check', (name) => {
    expect(services[name]?.healthcheck?.test.length).toBeGreaterThan(1);
  });

  it('starts in data-flow order, each waiting for its upstream to be healthy', () => {
    expect(services.cloud?.depends_on).toEqual({ provision: { condition: 'service_completed_successfully' } });
    expect(services.edge?.depends_on).toEqual({ cloud: { condition: 'service_healthy' } });
    expect(services.simulator?.depends_on).toEqual({ edge: { condition: 'service_healthy' } });
    expect(services.dashboard?.depends_on).toEqual({ cloud: { condition: 'service_healthy' } });
  });
});
