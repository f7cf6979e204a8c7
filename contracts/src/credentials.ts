/**
 * Machine secrets (devices, gateways). They are 256-bit random tokens, not human passwords, so a salted SHA-256
 * is enough: key stretching (scrypt, argon2) defends low-entropy secrets and would cost ~50 ms of CPU per MQTT
 * CONNECT, i.e. minutes when a ward of 2,000 devices reconnects at once. Node-only (not exported to browsers).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const MIN_SECRET_LENGTH = 32;

/** 32 random bytes, base64url: 43 characters. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string, salt: Buffer = randomBytes(16)): string {
  const digest = createHash('sha256').update(salt).update(secret, 'utf8').digest();
  return `sha256$${salt.toString('base64url')}$${digest.toString('base64url')}`;
}

/** Constant-time comparison; false for any malformed hash. */
export function verifySecret(secret: string | Buffer | undefined, stored: string): boolean {
  if (secret === undefined) return false;
  const parts = stored.split('$');
  if (parts.length !== 3 || parts[0] !== 'sha256') return false;
  const salt = Buffer.from(parts[1] ?? '', 'base64url');
  const expected = Buffer.from(parts[2] ?? '', 'base64url');
  const actual = createHash('sha256').update(salt).update(secret).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
