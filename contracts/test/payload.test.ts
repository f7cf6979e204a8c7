import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { DEFAULT_PAYLOAD_LIMITS, PmError, VitalsSample, parsePayload } from '../src/index.ts';
import type { ErrorCode } from '../src/index.ts';
import { vitalsSample } from './fixtures.ts';

const encode = (text: string) => new TextEncoder().encode(text);

function expectError(result: ReturnType<typeof parsePayload>, code: ErrorCode): PmError {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('expected a failure');
  expect(result.error).toBeInstanceOf(PmError);
  expect(result.error.code).toBe(code);
  return result.error;
}

describe('parsePayload: valid input', () => {
  it('parses bytes and strings into the validated value', () => {
    const sample = vitalsSample();
    const fromBytes = parsePayload(VitalsSample, encode(JSON.stringify(sample)));
    expect(fromBytes).toEqual({ ok: true, value: sample });
    const fromString = parsePayload(VitalsSample, JSON.stringify(sample));
    expect(fromString).toEqual({ ok: true, value: sample });
  });

  it('accepts escaped brackets and quotes inside strings without counting them as nesting', () => {
    const schema = z.object({ s: z.string() }).strict();
    const s = '[[[[[[[[[[{{{{{{{{{{ \\" \\\\';
    const text = JSON.stringify({ s });
    const result = parsePayload(schema, text, { maxBytes: 1024, maxDepth: 1 });
    expect(result).toEqual({ ok: true, value: { s } });
  });

  it('accepts a payload exactly at the byte limit and depth limit', () => {
    const text = '[[[1]]]';
    expect(parsePayload(z.unknown(), text, { maxBytes: text.length, maxDepth: 3 }).ok).toBe(true);
  });

  it('accepts multi-byte UTF-8 text', () => {
    const result = parsePayload(z.object({ n: z.string() }), encode('{"n":"\u00b0C \u2082 \u{1F600}"}'));
    expect(result).toEqual({ ok: true, value: { n: '\u00b0C \u2082 \u{1F600}' } });
  });
});

describe('parsePayload: failures, one code each', () => {
  it('PM_ERR_PAYLOAD_TOO_LARGE over the default limit, counted in bytes', () => {
    expect(DEFAULT_PAYLOAD_LIMITS.maxBytes).toBe(16 * 1024);
    const big = `{"s":"${'a'.repeat(DEFAULT_PAYLOAD_LIMITS.maxBytes)}"}`;
    expectError(parsePayload(z.unknown(), encode(big)), 'PM_ERR_PAYLOAD_TOO_LARGE');
    expectError(parsePayload(z.unknown(), big), 'PM_ERR_PAYLOAD_TOO_LARGE');
    // 3 characters but 6 bytes in UTF-8: the limit is on bytes.
    expectError(parsePayload(z.unknown(), '"\u00e9\u00e9"', { maxBytes: 5, maxDepth: 8 }), 'PM_ERR_PAYLOAD_TOO_LARGE');
    expect(parsePayload(z.unknown(), '"\u00e9\u00e9"', { maxBytes: 6, maxDepth: 8 }).ok).toBe(true);
  });

  it('checks size before decoding (oversized invalid UTF-8 is TOO_LARGE)', () => {
    const bytes = new Uint8Array(100).fill(0xff);
    expectError(parsePayload(z.unknown(), bytes, { maxBytes: 10, maxDepth: 8 }), 'PM_ERR_PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['lone continuation byte', [0x7b, 0x80, 0x7d]],
    ['0xff', [0x22, 0xff, 0x22]],
    ['overlong encoding of "/"', [0x22, 0xc0, 0xaf, 0x22]],
    ['truncated multi-byte sequence', [0x22, 0xe2, 0x82, 0x22]],
    ['UTF-16 surrogate encoded in UTF-8', [0x22, 0xed, 0xa0, 0x80, 0x22]],
  ])('PM_ERR_PAYLOAD_ENCODING for %s', (_name, bytes) => {
    expectError(parsePayload(z.unknown(), new Uint8Array(bytes)), 'PM_ERR_PAYLOAD_ENCODING');
  });

  it.each([
    ['empty', ''],
    ['truncated object', '{"v":1'],
    ['single quotes', "{'v':1}"],
    ['trailing comma', '{"v":1,}'],
    ['NaN as text', '{"hr":NaN}'],
    ['Infinity as text', '{"hr":Infinity}'],
    ['-Infinity as text', '{"hr":-Infinity}'],
    ['two documents', '{} {}'],
    ['unquoted key', '{v:1}'],
  ])('PM_ERR_PAYLOAD_JSON for %s', (_name, text) => {
    const error = expectError(parsePayload(z.unknown(), encode(text)), 'PM_ERR_PAYLOAD_JSON');
    expect(error.status).toBe(400);
  });

  it('PM_ERR_PAYLOAD_TOO_DEEP one level past the limit', () => {
    const limits = { maxBytes: 1024, maxDepth: 3 };
    expectError(parsePayload(z.unknown(), '[[[[1]]]]', limits), 'PM_ERR_PAYLOAD_TOO_DEEP');
    expectError(parsePayload(z.unknown(), '{"a":{"b":{"c":{"d":1}}}}', limits), 'PM_ERR_PAYLOAD_TOO_DEEP');
    expectError(parsePayload(z.unknown(), '{"a":[{"b":[1]}]}', limits), 'PM_ERR_PAYLOAD_TOO_DEEP');
  });

  it('PM_ERR_PAYLOAD_TOO_DEEP for 100k nested arrays, without a RangeError', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const limits = { maxBytes: 1_000_000, maxDepth: 8 };
    let result: ReturnType<typeof parsePayload> | undefined;
    expect(() => (result = parsePayload(z.unknown(), encode(deep), limits))).not.toThrow();
    expectError(result as ReturnType<typeof parsePayload>, 'PM_ERR_PAYLOAD_TOO_DEEP');
    // Unclosed, too.
    expectError(parsePayload(z.unknown(), '['.repeat(100_000), limits), 'PM_ERR_PAYLOAD_TOO_DEEP');
  });

  it('deep nesting beyond the default size limit is rejected for size first', () => {
    expectError(parsePayload(z.unknown(), '['.repeat(100_000)), 'PM_ERR_PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['__proto__ at the top', '{"__proto__":{"admin":true}}', '__proto__'],
    ['__proto__ nested', '{"v":1,"vitals":{"__proto__":{"hr":1}}}', '__proto__'],
    ['constructor', '{"constructor":{"prototype":{}}}', 'constructor'],
    ['constructor in an array element', '[{"constructor":1}]', 'constructor'],
    ['prototype', '{"a":{"prototype":1}}', 'prototype'],
    ['__proto__ spelled with a \\u escape', '{"\\u005f_proto__":{"admin":true}}', '__proto__'],
    ['constructor spelled with \\u escapes', '{"\\u0063onstructor":1}', 'constructor'],
  ])('PM_ERR_PAYLOAD_FORBIDDEN_KEY for %s', (_name, text, key) => {
    const error = expectError(parsePayload(VitalsSample, encode(text)), 'PM_ERR_PAYLOAD_FORBIDDEN_KEY');
    expect(error.message).toContain(key);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('a forbidden word as a string value is fine', () => {
    expect(parsePayload(z.object({ k: z.string() }), '{"k":"__proto__"}').ok).toBe(true);
  });

  it('1e400 parses to Infinity and fails the schema, with the path of the value', () => {
    const text = JSON.stringify(vitalsSample()).replace('"hr":72', '"hr":1e400');
    expect(text).toContain('1e400');
    const error = expectError(parsePayload(VitalsSample, encode(text)), 'PM_ERR_PAYLOAD_SCHEMA');
    expect(error.details?.map((d) => d.path)).toContain('vitals.hr');
  });

  it('PM_ERR_PAYLOAD_SCHEMA carries a details path per issue and names the first one in the message', () => {
    const bad = { ...vitalsSample(), seq: -1, deviceId: 'a/b' };
    const error = expectError(parsePayload(VitalsSample, encode(JSON.stringify(bad))), 'PM_ERR_PAYLOAD_SCHEMA');
    const paths = error.details?.map((d) => d.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['seq', 'deviceId']));
    expect(paths).toHaveLength(2);
    expect(error.message.startsWith(`${paths[0]}: `)).toBe(true);
    for (const d of error.details ?? []) expect(d.message.length).toBeGreaterThan(0);
  });

  it('PM_ERR_PAYLOAD_SCHEMA uses "(root)" for a root-level issue', () => {
    const error = expectError(parsePayload(VitalsSample, '[]'), 'PM_ERR_PAYLOAD_SCHEMA');
    expect(error.details?.[0]?.path).toBe('(root)');
  });

  it('PM_ERR_PAYLOAD_SCHEMA for an extra key, path at the root', () => {
    const error = expectError(parsePayload(VitalsSample, JSON.stringify({ ...vitalsSample(), x: 1 })), 'PM_ERR_PAYLOAD_SCHEMA');
    expect(error.details?.[0]?.path).toBe('(root)');
    expect(error.details?.[0]?.message).toMatch(/x/);
  });

  it('caps details at 10 issues', () => {
    const schema = z.object(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, z.string()])));
    const error = expectError(parsePayload(schema, '{}'), 'PM_ERR_PAYLOAD_SCHEMA');
    expect(error.details).toHaveLength(10);
  });
});
