/**
 * Clinician accounts in the `users` table (migration 3): one role, a JSON array of assigned wards, a disabled flag.
 * Accounts are never deleted (the audit log names them); `disable` is the way out. Only the scrypt hash of the
 * password is stored (password-hash.ts).
 */
import { z } from 'zod';
import { PmError, Role, UserCreateRequest, Username, WardId, type UserSummary } from '@vigil/contracts';
import type { DbExecutor } from '../storage/db.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-hash.ts';

/** A stored account: the public summary plus what only the auth service may see. */
export type UserRecord = UserSummary & { passwordHash: string; createdAt: number };

interface UserRow extends Record<string, unknown> {
  username: string;
  password_hash: string;
  role: string;
  wards: string;
  disabled: number | string;
  created_at: number | string;
}

const COLUMNS = 'username, password_hash, role, wards, disabled, created_at';

function invalid(message: string, error: z.ZodError): PmError {
  return new PmError(
    'PM_ERR_VALIDATION',
    message,
    error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

function toRecord(row: UserRow): UserRecord {
  return {
    username: row.username,
    role: Role.parse(row.role),
    wards: z.array(z.string()).parse(JSON.parse(row.wards)),
    disabled: Number(row.disabled) !== 0,
    passwordHash: row.password_hash,
    createdAt: Number(row.created_at),
  };
}

const summary = ({ username, role, wards, disabled }: UserRecord): UserSummary => ({ username, role, wards, disabled });

/** Sorted, without duplicates: the stored form, so two equal assignments compare equal. */
function normaliseWards(wards: readonly string[]): string[] {
  const parsed = z.array(WardId).max(200).safeParse(wards);
  if (!parsed.success) throw invalid('wards must be ward identifiers', parsed.error);
  return [...new Set(parsed.data)].sort();
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new PmError('PM_ERR_VALIDATION', `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`, [
      { path: 'password', message: `${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters` },
    ]);
  }
}

/**
 * Like the other repositories, stateless over the executor passed to each call, so a caller can run it inside its
 * own transaction.
 */
export class UserRepository {
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Validates (UserCreateRequest: password ≥ 12 characters), hashes the password, refuses an existing username. */
  async create(x: DbExecutor, input: UserCreateRequest): Promise<UserSummary> {
    const parsed = UserCreateRequest.safeParse(input);
    // Never echo the password back: the issue messages name the field and the rule, not the value.
    if (!parsed.success) throw invalid('user is invalid', parsed.error);
    const { username, password, role } = parsed.data;
    const wards = normaliseWards(parsed.data.wards);
    const passwordHash = await hashPassword(password);
    const changed = await x.run(`INSERT INTO users (${COLUMNS}) VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (username) DO NOTHING`, [
      username,
      passwordHash,
      role,
      JSON.stringify(wards),
      this.#now(),
    ]);
    if (changed === 0) throw new PmError('PM_ERR_VALIDATION', `user ${username} already exists`, [{ path: 'username', message: 'already exists' }]);
    return { username, role, wards, disabled: false };
  }

  async get(x: DbExecutor, username: string): Promise<UserRecord | undefined> {
    if (!Username.safeParse(username).success) return undefined;
    const row = await x.get<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = ?`, [username]);
    return row ? toRecord(row) : undefined;
  }

  /** Every account, by username. */
  async list(x: DbExecutor): Promise<UserSummary[]> {
    const rows = await x.all<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
    return rows.map((row) => summary(toRecord(row)));
  }

  async setWards(x: DbExecutor, username: string, wards: readonly string[]): Promise<UserSummary> {
    const user = await this.#require(x, username);
    const normalised = normaliseWards(wards);
    await x.run('UPDATE users SET wards = ? WHERE username = ?', [JSON.stringify(normalised), user.username]);
    return summary({ ...user, wards: normalised });
  }

  async setRole(x: DbExecutor, username: string, role: Role): Promise<UserSummary> {
    const parsed = Role.safeParse(role);
    if (!parsed.success) throw invalid('role must be clinician, charge_nurse or admin', parsed.error);
    const user = await this.#require(x, username);
    await x.run('UPDATE users SET role = ? WHERE username = ?', [parsed.data, user.username]);
    return summary({ ...user, role: parsed.data });
  }

  async setPassword(x: DbExecutor, username: string, password: string): Promise<void> {
    checkPassword(password);
    const user = await this.#require(x, username);
    await this.setPasswordHash(x, user.username, await hashPassword(password));
  }

  /** Store a hash computed elsewhere (the login path re-hashes after a cost change). */
  async setPasswordHash(x: DbExecutor, username: string, passwordHash: string): Promise<void> {
    await x.run('UPDATE users SET password_hash = ? WHERE username = ?', [passwordHash, username]);
  }

  /** Accounts are never deleted (the audit log names them); open sessions end at their next request. */
  async disable(x: DbExecutor, username: string): Promise<UserSummary> {
    const user = await this.#require(x, username);
    await x.run('UPDATE users SET disabled = 1 WHERE username = ?', [user.username]);
    return summary({ ...user, disabled: true });
  }

  /** Number of accounts (first-start bootstrap). */
  async count(x: DbExecutor): Promise<number> {
    const row = await x.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM users');
    return Number(row?.n ?? 0);
  }

  async #require(x: DbExecutor, username: string): Promise<UserRecord> {
    const user = await this.get(x, username);
    if (!user) throw new PmError('PM_ERR_NOT_FOUND', `no user ${Username.safeParse(username).success ? username : '(invalid name)'}`);
    return user;
  }
}
