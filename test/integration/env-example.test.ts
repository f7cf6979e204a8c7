import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvExample } from '../../scripts/env-example.ts';

describe('.env.example', () => {
  it('lists exactly the variables the config schemas read, with their defaults', () => {
    const committed = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    expect(committed).toBe(renderEnvExample());
  });
});
