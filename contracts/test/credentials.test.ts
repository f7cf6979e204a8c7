import { describe, it, expect } from 'vitest';
import { MIN_SECRET_LENGTH, generateSecret, hashSecret, verifySecret } from '../src/credentials.ts';
import { SecretHash } from '../src/index.ts';

describe('credentials', () => {
  const secret = generateSecret();

  it('generates 43-character base64url secrets, different each time', () => {
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret.length).toBeGreaterThanOrEqual(MIN_SECRET_LENGTH);
    expect(generateSecret()).not.toBe(secret);
  });

  it('verifies a secret against its own hash (string and Buffer)', () => {
    const stored = hashSecret(secret);
    expect(verifySecret(secret, stored)).toBe(true);
    expect(verifySecret(Buffer.from(secret, 'utf8'), stored)).toBe(true);
  });

  it('handles non-ASCII secrets as UTF-8', () => {
    const s = 'p\u00e4ss-\u00fc-'.padEnd(40, 'x');
    expect(verifySecret(s, hashSecret(s))).toBe(true);
    expect(verifySecret(Buffer.from(s, 'utf8'), hashSecret(s))).toBe(true);
  });

  it('rejects a wrong secret', () => {
    const stored = hashSecret(secret);
    expect(verifySecret(generateSecret(), stored)).toBe(false);
    expect(verifySecret(`${secret}x`, stored)).toBe(false);
    expect(verifySecret('', stored)).toBe(false);
  });

  it('rejects an undefined secret', () => {
    expect(verifySecret(undefined, hashSecret(secret))).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['plaintext secret stored', 'not-a-hash'],
    ['wrong algorithm', () => hashSecret(secret).replace(/^sha256/, 'md5')],
    ['missing digest', () => hashSecret(secret).split('$').slice(0, 2).join('$')],
    ['extra part', () => `${hashSecret(secret)}$x`],
    ['truncated digest', () => hashSecret(secret).slice(0, -2)],
    ['empty digest', () => `${hashSecret(secret).split('$').slice(0, 2).join('$')}$`],
    ['salt from another hash', () => {
      const [alg, , digest] = hashSecret(secret).split('$');
      const otherSalt = hashSecret(secret).split('$')[1];
      return `${alg}$${otherSalt}$${digest}`;
    }],
  ])('returns false (never throws) for a malformed hash: %s', (_name, stored) => {
    const value = typeof stored === 'function' ? stored() : stored;
    expect(verifySecret(secret, value)).toBe(false);
  });

  it('salts: two hashes of one secret differ, and both verify', () => {
    const a = hashSecret(secret);
    const b = hashSecret(secret);
    expect(a).not.toBe(b);
    expect(a.split('$')[1]).not.toBe(b.split('$')[1]);
    expect(verifySecret(secret, a)).toBe(true);
    expect(verifySecret(secret, b)).toBe(true);
  });

  it('is deterministic for a given salt', () => {
    const salt = Buffer.alloc(16, 7);
    expect(hashSecret(secret, salt)).toBe(hashSecret(secret, salt));
    expect(hashSecret(secret, salt)).not.toBe(hashSecret(`${secret}!`, salt));
  });

  it('produces hashes that match the SecretHash schema of the registries', () => {
    for (let i = 0; i < 20; i++) {
      const stored = hashSecret(generateSecret());
      expect(SecretHash.safeParse(stored).success, stored).toBe(true);
    }
    expect(SecretHash.safeParse('sha256$short$short').success).toBe(false);
  });
});
