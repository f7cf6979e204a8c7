/**
 * Password hashing for clinician accounts: scrypt (RFC 7914) through node:crypto, on libuv's thread pool so a login
 * never blocks the event loop. Unlike machine secrets (contracts/src/credentials.ts: 256-bit random, a salted SHA-256
 * is enough) human passwords have little entropy, so each guess must cost memory and time.
 *
 * Cost: N = 2^15, r = 8, p = 1 → 128·N·r = 32 MiB and roughly 50–100 ms of one core per hash. OWASP's password
 * storage cheat sheet asks for N ≥ 2^17 (128 MiB); we stay at 2^15 so that a shift change (dozens of logins at once,
 * four at a time on the default thread pool) fits a 2-core, 1 GB edge-class machine. The parameters are stored in
 * each hash (`scrypt$N$r$p$salt$hash`), so raising them later needs no migration: `needsRehash` tells the login path
 * to re-hash with the current cost after a successful verify.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT_PARAMS = {
  N: 2 ** 15, // CPU/memory cost (RFC 7914 §2)
  r: 8, // block size: 128·r bytes per block
  p: 1, // parallelisation
  keyLength: 32, // bytes of derived key (256 bits)
  saltLength: 16, // bytes of random salt (NIST SP 800-63B §5.1.1.2: ≥ 32 bits)
} as const;

/** Bounds accepted when reading a stored hash: a tampered row must not make us allocate gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/** NIST SP 800-63B §5.1.1.2: passwords of at least 8 characters; we ask 12 (the contract's UserCreateRequest). */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  // 128·N·r is the working set; node's default maxmem (32 MiB) is exactly our cost, so allow headroom.
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r + 16 * 1024 * 1024 };
  // NFKC: the same password typed on two keyboards (composed vs decomposed accents) must match (SP 800-63B §5.1.1.2).
  const input = Buffer.from(password.normalize('NFKC'), 'utf8');
  return new Promise((resolve, reject) => {
    scrypt(input, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$<salt base64url>$<key base64url>`. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keyLength, saltLength } = SCRYPT_PARAMS;
  const salt = randomBytes(saltLength);
  const key = await derive(password, salt, keyLength, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

function parseHash(encoded: string): ParsedHash | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || !Number.isInteger(r) || r < 1 || r > MAX_R || !Number.isInteger(p) || p < 1 || p > MAX_P) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return { N, r, p, salt, key };
}

/** Constant-time comparison of the derived key; false for a malformed hash (never throws for bad input). */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  const actual = await derive(password, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(actual, parsed.key);
}

/** true when the hash was made with other parameters than today's (re-hash it after a successful login). */
export function needsRehash(encoded: string): boolean {
  const parsed = parseHash(encoded);
  return !parsed || parsed.N !== SCRYPT_PARAMS.N || parsed.r !== SCRYPT_PARAMS.r || parsed.p !== SCRYPT_PARAMS.p || parsed.key.length !== SCRYPT_PARAMS.keyLength;
}

let dummy: Promise<string> | undefined;

/** Computed once per process (call early, e.g. at service start, so the first unknown-user login is not slower). */
export function warmDummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummy;
}

/**
 * For a login with an unknown username: spend the same scrypt work as a real verify, then say no. Without it, the
 * response time tells an attacker which usernames exist (OWASP authentication cheat sheet, "response times").
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(password, await warmDummyHash());
  return false;
}
