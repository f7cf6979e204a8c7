import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { PmError, describeConfig, envBoolean, envName, envPort, loadConfig } from '../src/index.ts';

const Schema = z.object({
  port: envPort.default(1883).describe('MQTT listen port'),
  fooBarMs: z.coerce.number().int().positive().default(5000).describe('flush interval, ms'),
  useTls: envBoolean.default(false),
  logLevel: z.enum(['debug', 'info', 'warn']).default('info'),
  dbUrl: z.string().optional(),
});

describe('envName', () => {
  it.each([
    ['port', 'PORT'],
    ['fooBarMs', 'FOO_BAR_MS'],
    ['maxBytes', 'MAX_BYTES'],
    ['uplinkQos1', 'UPLINK_QOS1'],
    ['retry2Times', 'RETRY2_TIMES'],
  ])('%s → PREFIX_%s', (key, suffix) => {
    expect(envName('PREFIX_', key)).toBe(`PREFIX_${suffix}`);
  });
});

describe('loadConfig', () => {
  it('uses the defaults when nothing is set', () => {
    expect(loadConfig(Schema, 'VIGIL_EDGE_', {})).toEqual({ port: 1883, fooBarMs: 5000, useTls: false, logLevel: 'info' });
  });

  it('reads prefixed variables and coerces them', () => {
    const config = loadConfig(Schema, 'VIGIL_EDGE_', {
      VIGIL_EDGE_PORT: '0',
      VIGIL_EDGE_FOO_BAR_MS: '250',
      VIGIL_EDGE_USE_TLS: 'yes',
      VIGIL_EDGE_LOG_LEVEL: 'debug',
      VIGIL_EDGE_DB_URL: 'postgres://db/vigil',
    });
    expect(config).toEqual({ port: 0, fooBarMs: 250, useTls: true, logLevel: 'debug', dbUrl: 'postgres://db/vigil' });
    expect(typeof config.port).toBe('number');
  });

  it('ignores unprefixed, other-prefixed and camelCase names', () => {
    const config = loadConfig(Schema, 'VIGIL_EDGE_', { PORT: '1', VIGIL_CLOUD_PORT: '2', VIGIL_EDGE_fooBarMs: '3', VIGIL_EDGE_FOOBARMS: '4' });
    expect(config.port).toBe(1883);
    expect(config.fooBarMs).toBe(5000);
  });

  it('treats an empty variable as unset (default applies)', () => {
    expect(loadConfig(Schema, 'P_', { P_PORT: '', P_FOO_BAR_MS: '' })).toMatchObject({ port: 1883, fooBarMs: 5000 });
  });

  it.each([
    ['P_PORT', 'not-a-port'],
    ['P_PORT', '70000'],
    ['P_PORT', '-1'],
    ['P_FOO_BAR_MS', '1.5'],
    ['P_FOO_BAR_MS', '0'],
    ['P_USE_TLS', 'maybe'],
    ['P_USE_TLS', 'TRUE-ish'],
    ['P_LOG_LEVEL', 'trace'],
  ])('throws PM_ERR_CONFIG_INVALID naming %s for %j', (name, value) => {
    let caught: unknown;
    try {
      loadConfig(Schema, 'P_', { [name]: value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PmError);
    const error = caught as PmError;
    expect(error.code).toBe('PM_ERR_CONFIG_INVALID');
    expect(error.status).toBe(500);
    expect(error.message).toContain(name);
    expect(error.details?.map((d) => d.path)).toEqual([name]);
  });

  it('names every offending variable at once', () => {
    expect(() => loadConfig(Schema, 'P_', { P_PORT: 'x', P_USE_TLS: 'maybe' })).toThrow(
      expect.objectContaining({
        code: 'PM_ERR_CONFIG_INVALID',
        details: [expect.objectContaining({ path: 'P_PORT' }), expect.objectContaining({ path: 'P_USE_TLS' })],
      }),
    );
  });

  it('reads process.env by default', () => {
    process.env.VIGIL_TEST_CFG_FOO_BAR_MS = '42';
    try {
      expect(loadConfig(Schema, 'VIGIL_TEST_CFG_').fooBarMs).toBe(42);
    } finally {
      delete process.env.VIGIL_TEST_CFG_FOO_BAR_MS;
    }
  });
});

describe('envBoolean', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
    [true, true],
    [false, false],
  ])('%j → %s', (input, expected) => {
    expect(envBoolean.parse(input)).toBe(expected);
  });

  it.each(['maybe', '', 'on', 'Y', 2])('rejects %j', (input) => {
    expect(envBoolean.safeParse(input).success).toBe(false);
  });
});

describe('describeConfig', () => {
  it('lists every variable with its description', () => {
    const vars = describeConfig(Schema, 'P_');
    expect(vars.map((v) => v.name)).toEqual(['P_PORT', 'P_FOO_BAR_MS', 'P_USE_TLS', 'P_LOG_LEVEL', 'P_DB_URL']);
    expect(vars.find((v) => v.name === 'P_FOO_BAR_MS')?.description).toBe('flush interval, ms');
  });
});
