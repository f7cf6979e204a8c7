import { describe, it, expect } from 'vitest';
import { ERRORS, ERROR_CODES, ErrorBody, PmError, isPmError } from '../src/index.ts';
import type { ErrorCode } from '../src/index.ts';

const entries = Object.entries(ERRORS) as Array<[ErrorCode, (typeof ERRORS)[ErrorCode]]>;

describe('error catalogue', () => {
  it('ERROR_CODES lists every code once', () => {
    expect(ERROR_CODES).toEqual(Object.keys(ERRORS));
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it.each(entries)('%s: PM_ERR_ code, snake_case reason, 4xx/5xx status, a message', (code, spec) => {
    expect(code).toMatch(/^PM_ERR_[A-Z0-9_]+$/);
    expect(spec.reason).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(spec.status).toBeGreaterThanOrEqual(400);
    expect(spec.status).toBeLessThan(600);
    expect(Number.isInteger(spec.status)).toBe(true);
    expect(spec.message.length).toBeGreaterThan(0);
  });

  it('every reason is unique (metric label values)', () => {
    const reasons = entries.map(([, spec]) => spec.reason);
    expect(new Set(reasons).size).toBe(reasons.length);
  });

  it.each([
    ['PM_ERR_PAYLOAD_TOO_LARGE', 413],
    ['PM_ERR_UNAUTHENTICATED', 401],
    ['PM_ERR_FORBIDDEN', 403],
    ['PM_ERR_NOT_FOUND', 404],
    ['PM_ERR_RATE_LIMITED', 429],
    ['PM_ERR_INTERNAL', 500],
  ] as Array<[ErrorCode, number]>)('%s has status %i', (code, status) => {
    expect(ERRORS[code].status).toBe(status);
  });
});

describe('PmError', () => {
  it('carries code, status, reason and the default message', () => {
    const error = new PmError('PM_ERR_NOT_FOUND');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PmError');
    expect(error.code).toBe('PM_ERR_NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.reason).toBe('not_found');
    expect(error.message).toBe(ERRORS.PM_ERR_NOT_FOUND.message);
    expect(error.details).toBeUndefined();
    expect(isPmError(error)).toBe(true);
    expect(isPmError(new Error('x'))).toBe(false);
    expect(isPmError({ code: 'PM_ERR_NOT_FOUND' })).toBe(false);
  });

  it('toBody without details omits the key and validates against ErrorBody', () => {
    const body = new PmError('PM_ERR_FORBIDDEN', 'no').toBody();
    expect(body).toEqual({ error: { code: 'PM_ERR_FORBIDDEN', message: 'no' } });
    expect('details' in body.error).toBe(false);
    expect(ErrorBody.safeParse(body).success).toBe(true);
  });

  it('toBody with details validates against ErrorBody, for every code', () => {
    for (const code of ERROR_CODES) {
      const body = new PmError(code, undefined, [{ path: 'seq', message: 'too small' }]).toBody();
      expect(body.error.details).toEqual([{ path: 'seq', message: 'too small' }]);
      expect(ErrorBody.safeParse(body).success, code).toBe(true);
    }
  });
});

describe('ErrorBody', () => {
  it.each([
    ['unknown code', { error: { code: 'PM_ERR_UNKNOWN', message: 'x' } }],
    ['code without prefix', { error: { code: 'NOT_FOUND', message: 'x' } }],
    ['missing message', { error: { code: 'PM_ERR_INTERNAL' } }],
    ['message as number', { error: { code: 'PM_ERR_INTERNAL', message: 500 } }],
    ['details not an array', { error: { code: 'PM_ERR_INTERNAL', message: 'x', details: { path: 'a', message: 'b' } } }],
    ['detail without path', { error: { code: 'PM_ERR_INTERNAL', message: 'x', details: [{ message: 'b' }] } }],
    ['extra key in error', { error: { code: 'PM_ERR_INTERNAL', message: 'x', status: 500 } }],
    ['extra top-level key', { error: { code: 'PM_ERR_INTERNAL', message: 'x' }, status: 500 }],
    ['error missing', {}],
    ['flat shape', { code: 'PM_ERR_INTERNAL', message: 'x' }],
  ])('rejects %s', (_name, body) => {
    expect(ErrorBody.safeParse(body).success).toBe(false);
  });
});
