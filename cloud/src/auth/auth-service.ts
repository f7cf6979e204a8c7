/**
 * Sign-in, sessions and ward access for clinicians (ARCHITECTURE.md, "Secure by default": a clinician sees only the
 * wards they are assigned to, or one opened by an audited, time-limited break-glass).
 *
 * A session ends at the first of: logout, idle timeout (slid forward by each authenticated request, never past the
 * absolute expiry), absolute timeout, the account being disabled. Timeouts follow OWASP's session management cheat
 * sheet (idle 15–30 min for high-value applications; an absolute limit of one working shift).
 */
import { BreakGlassRequest, isReplayWard, PmError, Username, type BreakGlassGrant, type LoginResponse, type Role, type SessionInfo } from '@vigil/contracts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { DbExecutor } from '../storage/db.ts';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword, warmDummyHash } from './password-hash.ts';
import { createSessionStore, hashSessionToken, newSessionToken, sessionRef, type SessionEndReason } from './session-store.ts';
import { UserRepository, type UserRecord } from './user-repository.ts';

export const AUTH_DEFAULTS = {
  idleTimeoutMs: 15 * 60_000, // 15 min without a request ends the session
  absoluteTimeoutMs: 12 * 3_600_000, // 12 h: one shift, however active
  breakGlassMs: 60 * 60_000, // 60 min per break-glass grant
  maxFailedLogins: 5, // failures per username within failedLoginWindowMs before a lockout; 0 = no brake
  failedLoginWindowMs: 5 * 60_000, // 5 min
  lockoutMs: 5 * 60_000, // 5 min refused after the brake trips
  principalCacheMs: 1_000, // 1 s: authenticate() answers from memory for at most this long (0 = always read)
};
export type AuthConfig = typeof AUTH_DEFAULTS;

/** Who is calling: the account, its wards and live break-glass grants, and the session. */
export type Principal = Pick<SessionInfo, 'username' | 'role' | 'wards' | 'breakGlass'> & { tokenHash: string; session: SessionInfo };

export interface AuthService {
  login(username: string, password: string, meta?: { ip?: string }): Promise<LoginResponse>;
  /** `touch: false` checks without sliding the idle expiry (a watcher is not user activity). */
  authenticate(token: string | undefined, options?: { touch?: boolean }): Promise<Principal>;
  logout(principal: Principal): Promise<void>;
  breakGlass(principal: Principal, wardId: string, reason: string): Promise<BreakGlassGrant>;
  canReadWard(principal: Principal, wardId: string, now?: number): boolean;
  readableWards(principal: Principal, now?: number): string[];
  requireWard(principal: Principal, wardId: string): void;
  requireRole(principal: Principal, ...roles: Role[]): void;
  /** First start: create this admin when there are no accounts at all; true when it did. */
  ensureBootstrapAdmin(admin: { username: string; password: string }): Promise<boolean>;
  readonly users: UserRepository;
  readonly config: Readonly<AuthConfig>;
}

export interface AuthServiceOptions {
  db: DbExecutor;
  audit: Pick<AuditLog, 'append'>;
  now?: () => number;
  config?: Partial<AuthConfig>;
}

const WRONG_CREDENTIALS = 'wrong username or password';
const unauthenticated = (message: string) => new PmError('PM_ERR_UNAUTHENTICATED', message);
const END_MESSAGES: Record<SessionEndReason, string> = {
  idle: 'session expired after inactivity',
  absolute: 'session expired (maximum length)',
  logout: 'session ended',
  disabled: 'session ended',
};
/** Bound on the in-memory maps (principal cache, failure counters), so a flood of names cannot grow them forever. */
const MAX_TRACKED = 10_000;

export function createAuthService(options: AuthServiceOptions): AuthService {
  const now = options.now ?? Date.now;
  const config: AuthConfig = { ...AUTH_DEFAULTS, ...options.config };
  const { db, audit } = options;
  const users = new UserRepository({ now });
  const sessions = createSessionStore(db);
  const cache = new Map<string, { principal: Principal; until: number }>();
  // Per-username failure counters of this process. Several cloud processes each keep their own: the brake is a
  // speed bump against online guessing, the scrypt cost and the audit trail are the rest of the defence.
  const failures = new Map<string, { count: number; windowStart: number; lockedUntil: number }>();
  void warmDummyHash();

  function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (map.size >= MAX_TRACKED && !map.has(key)) map.delete(map.keys().next().value as K);
    map.set(key, value);
  }

  function forgetUser(username: string): void {
    for (const [key, entry] of cache) if (entry.principal.username === username) cache.delete(key);
  }

  const copy = (p: Principal): Principal => {
    const breakGlass = [...p.breakGlass];
    return { ...p, wards: [...p.wards], breakGlass, session: { ...p.session, wards: [...p.wards], breakGlass } };
  };

  async function recordFailure(key: string, actor: string, ip: string | undefined, at: number): Promise<void> {
    if (config.maxFailedLogins <= 0) return;
    const entry = failures.get(key);
    const state = entry && at - entry.windowStart < config.failedLoginWindowMs ? entry : { count: 0, windowStart: at, lockedUntil: 0 };
    state.count += 1;
    if (state.count >= config.maxFailedLogins) {
      state.count = 0;
      state.windowStart = at;
      state.lockedUntil = at + config.lockoutMs;
      await audit.append({
        actor,
        role: 'none',
        action: 'auth.login.locked',
        resource: 'auth/session',
        detail: { failures: config.maxFailedLogins, lockedForMs: config.lockoutMs, ...(ip ? { ip } : {}) },
      });
    }
    remember(failures, key, state);
  }

  async function endSession(tokenHash: string, username: string, role: string, reason: SessionEndReason, at: number): Promise<void> {
    cache.delete(tokenHash);
    // Audit only the call that actually ended it (two concurrent requests may both find it expired).
    if (await sessions.end(tokenHash, at, reason)) {
      const action = reason === 'logout' ? 'auth.logout' : 'auth.session.ended';
      await audit.append({ actor: username, role, action, resource: 'auth/session', detail: { sid: sessionRef(tokenHash), reason } });
    }
  }

  function sessionInfo(user: UserRecord, breakGlass: BreakGlassGrant[], idleExpiresAt: number, absoluteExpiresAt: number): SessionInfo {
    return { username: user.username, role: user.role, wards: user.wards, breakGlass, idleExpiresAt, absoluteExpiresAt };
  }

  const service: AuthService = {
    users,
    config,

    async login(username, password, meta = {}) {
      const at = now();
      const ip = meta.ip;
      const validName = typeof username === 'string' && Username.safeParse(username).success;
      // A password typed into the username field must not reach the audit log: only well-formed names are recorded.
      const actor = validName ? username : '(invalid username)';
      const key = typeof username === 'string' ? username.slice(0, 64) : '';
      const lock = failures.get(key);
      if (lock && lock.lockedUntil > at) {
        throw new PmError('PM_ERR_RATE_LIMITED', 'too many failed sign-ins for this username; try again in a few minutes');
      }
      const pw = typeof password === 'string' ? password.slice(0, 1024) : '';
      const user = validName ? await users.get(db, username) : undefined;
      // Same scrypt work whether or not the account exists, and a disabled account's password is checked too, so
      // neither the answer nor its timing tells which usernames exist.
      const passwordOk = user ? await verifyPassword(pw, user.passwordHash) : await verifyAgainstDummy(pw);
      if (!user || !passwordOk || user.disabled) {
        const reason = !user ? 'unknown-user' : !passwordOk ? 'wrong-password' : 'disabled';
        await audit.append({
          actor,
          role: user?.role ?? 'none',
          action: 'auth.login.failed',
          resource: 'auth/session',
          detail: { reason, ...(ip ? { ip } : {}) },
        });
        await recordFailure(key, actor, ip, at);
        throw unauthenticated(WRONG_CREDENTIALS);
      }
      failures.delete(key);
      if (needsRehash(user.passwordHash)) await users.setPasswordHash(db, user.username, await hashPassword(pw));

      const token = newSessionToken();
      const tokenHash = hashSessionToken(token)!;
      const absoluteExpiresAt = at + config.absoluteTimeoutMs;
      const idleExpiresAt = Math.min(at + config.idleTimeoutMs, absoluteExpiresAt);
      await sessions.create({ tokenHash, username: user.username, createdAt: at, idleExpiresAt, absoluteExpiresAt });
      await audit.append({
        actor: user.username,
        role: user.role,
        action: 'auth.login',
        resource: 'auth/session',
        detail: { sid: sessionRef(tokenHash), ...(ip ? { ip } : {}) },
      });
      const breakGlass = await sessions.activeGrants(user.username, at);
      return { token, session: sessionInfo(user, breakGlass, idleExpiresAt, absoluteExpiresAt) };
    },

    async authenticate(token, { touch = true } = {}) {
      if (typeof token !== 'string' || token.length === 0) throw unauthenticated('sign-in required');
      const tokenHash = hashSessionToken(token);
      if (!tokenHash) throw unauthenticated('session ended');
      const at = now();

      const cached = cache.get(tokenHash);
      if (cached && cached.until > at && at < cached.principal.session.idleExpiresAt) return copy(cached.principal);
      cache.delete(tokenHash);

      const row = await sessions.get(tokenHash);
      if (!row || row.endedAt !== null) throw unauthenticated('session ended');
      const user = await users.get(db, row.username);
      const role = user?.role ?? 'none';
      if (at >= row.absoluteExpiresAt || at >= row.idleExpiresAt) {
        // Activity keeps idle = absolute at the end, so reaching that instant is the maximum length, not inactivity.
        const reason: SessionEndReason = at >= row.absoluteExpiresAt && row.idleExpiresAt >= row.absoluteExpiresAt ? 'absolute' : 'idle';
        await endSession(tokenHash, row.username, role, reason, at);
        throw unauthenticated(END_MESSAGES[reason]);
      }
      if (!user || user.disabled) {
        await endSession(tokenHash, row.username, role, 'disabled', at);
        throw unauthenticated(END_MESSAGES.disabled);
      }
      let idleExpiresAt = row.idleExpiresAt;
      if (touch) {
        idleExpiresAt = Math.min(at + config.idleTimeoutMs, row.absoluteExpiresAt);
        if (!(await sessions.touch(tokenHash, at, idleExpiresAt))) throw unauthenticated('session ended');
      }
      const breakGlass = await sessions.activeGrants(user.username, at);
      const session = sessionInfo(user, breakGlass, idleExpiresAt, row.absoluteExpiresAt);
      const principal: Principal = { username: user.username, role: user.role, wards: user.wards, breakGlass, tokenHash, session };
      if (config.principalCacheMs > 0 && touch) remember(cache, tokenHash, { principal: copy(principal), until: at + Math.min(config.principalCacheMs, 1_000) });
      return principal;
    },

    async logout(principal) {
      await endSession(principal.tokenHash, principal.username, principal.role, 'logout', now());
    },

    async breakGlass(principal, wardId, reason) {
      const parsed = BreakGlassRequest.safeParse({ wardId, reason });
      if (!parsed.success) {
        throw new PmError(
          'PM_ERR_VALIDATION',
          'break-glass needs a ward and a reason of at least 10 characters',
          parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        );
      }
      if (principal.wards.includes(parsed.data.wardId)) {
        throw new PmError('PM_ERR_VALIDATION', `already assigned to ward ${parsed.data.wardId}`, [{ path: 'wardId', message: 'already assigned' }]);
      }
      const at = now();
      const grant: BreakGlassGrant = {
        wardId: parsed.data.wardId,
        reason: parsed.data.reason,
        grantedAt: at,
        // Never outlives the session it was asked from.
        expiresAt: Math.min(at + config.breakGlassMs, principal.session.absoluteExpiresAt),
      };
      // Audit first: a grant that could not be audited must not exist.
      await audit.append({
        actor: principal.username,
        role: principal.role,
        action: 'auth.break-glass',
        wardId: grant.wardId,
        resource: `ward/${grant.wardId}`,
        detail: { reason: grant.reason, expiresAt: grant.expiresAt, sid: sessionRef(principal.tokenHash) },
      });
      await sessions.addGrant(principal.username, grant);
      forgetUser(principal.username);
      principal.breakGlass.push(grant);
      if (principal.session.breakGlass !== principal.breakGlass) principal.session.breakGlass.push(grant);
      return grant;
    },

    canReadWard(principal, wardId, at = now()) {
      // Replay wards (contracts/src/recording.ts) hold replayed recordings, watched for teaching and review: open to
      // every signed-in user; reads are audited like any other.
      if (isReplayWard(wardId)) return true;
      return principal.wards.includes(wardId) || principal.breakGlass.some((g) => g.wardId === wardId && g.expiresAt > at);
    },

    readableWards(principal, at = now()) {
      const granted = principal.breakGlass.filter((g) => g.expiresAt > at).map((g) => g.wardId);
      return [...new Set([...principal.wards, ...granted])];
    },

    requireWard(principal, wardId) {
      if (!service.canReadWard(principal, wardId)) throw new PmError('PM_ERR_FORBIDDEN', `not assigned to ward ${wardId}`);
    },

    requireRole(principal, ...roles) {
      if (!roles.includes(principal.role)) throw new PmError('PM_ERR_FORBIDDEN', `requires role ${roles.join(' or ')}`);
    },

    async ensureBootstrapAdmin({ username, password }) {
      if ((await users.count(db)) > 0) return false;
      const created = await users.create(db, { username, password, role: 'admin', wards: [] });
      await audit.append({ actor: 'system', role: 'system', action: 'user.bootstrap-admin', resource: `user/${created.username}`, detail: null });
      return true;
    },
  };
  return service;
}
