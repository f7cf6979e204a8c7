/**
 * Sessions and break-glass grants in the database (migration 3: `auth_sessions`, `break_glass_grants`).
 *
 * A session row is keyed by the SHA-256 of its token, never the token: whoever reads the database (a backup, a
 * replica, a support dump) cannot sign in with what they find. The token itself is 32 random bytes, so an unsalted
 * fast hash is enough (the same reasoning as contracts/src/credentials.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BreakGlassGrant } from '@vigil/contracts';
import type { DbExecutor } from '../storage/db.ts';

/** Why a session ended (`auth_sessions.end_reason`). */
export type SessionEndReason = 'logout' | 'idle' | 'absolute' | 'disabled';

export interface SessionRow {
  tokenHash: string;
  username: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  endedAt: number | null;
  endReason: string | null;
}

/** 32 random bytes, base64url (43 characters): 256 bits, beyond guessing (OWASP session management: ≥ 64 bits). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Lowercase hex SHA-256 of the token; null for a string that cannot be one of our tokens (no lookup needed). */
export function hashSessionToken(token: string): string | null {
  if (!TOKEN_PATTERN.test(token)) return null;
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A short, non-secret reference to a session for the audit log and logs (not enough to find the row by brute force). */
export function sessionRef(tokenHash: string): string {
  return tokenHash.slice(0, 12);
}

export interface SessionStore {
  create(session: Omit<SessionRow, 'endedAt' | 'endReason' | 'lastSeenAt'>): Promise<void>;
  get(tokenHash: string): Promise<SessionRow | undefined>;
  /** Slide the idle expiry; false when the session has ended meanwhile. */
  touch(tokenHash: string, at: number, idleExpiresAt: number): Promise<boolean>;
  /** End an open session; false when it had already ended (so the caller audits the end once). */
  end(tokenHash: string, at: number, reason: SessionEndReason): Promise<boolean>;
  addGrant(username: string, grant: BreakGlassGrant): Promise<void>;
  /** Grants of a user that have not expired at `at`, oldest first. */
  activeGrants(username: string, at: number): Promise<BreakGlassGrant[]>;
}

interface SessionDbRow extends Record<string, unknown> {
  token_hash: string;
  username: string;
  created_at: number | string;
  last_seen_at: number | string;
  idle_expires_at: number | string;
  absolute_expires_at: number | string;
  ended_at: number | string | null;
  end_reason: string | null;
}

export function createSessionStore(db: DbExecutor): SessionStore {
  return {
    async create(s) {
      await db.run(
        `INSERT INTO auth_sessions (token_hash, username, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [s.tokenHash, s.username, s.createdAt, s.createdAt, s.idleExpiresAt, s.absoluteExpiresAt],
      );
    },

    async get(tokenHash) {
      const row = await db.get<SessionDbRow>(
        `SELECT token_hash, username, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ended_at, end_reason
         FROM auth_sessions WHERE token_hash = ?`,
        [tokenHash],
      );
      if (!row) return undefined;
      return {
        tokenHash: row.token_hash,
        username: row.username,
        createdAt: Number(row.created_at),
        lastSeenAt: Number(row.last_seen_at),
        idleExpiresAt: Number(row.idle_expires_at),
        absoluteExpiresAt: Number(row.absolute_expires_at),
        endedAt: row.ended_at === null ? null : Number(row.ended_at),
        endReason: row.end_reason,
      };
    },

    async touch(tokenHash, at, idleExpiresAt) {
      const changed = await db.run(
        'UPDATE auth_sessions SET last_seen_at = ?, idle_expires_at = ? WHERE token_hash = ? AND ended_at IS NULL',
        [at, idleExpiresAt, tokenHash],
      );
      return changed > 0;
    },

    async end(tokenHash, at, reason) {
      const changed = await db.run(
        'UPDATE auth_sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL',
        [at, reason, tokenHash],
      );
      return changed > 0;
    },

    async addGrant(username, grant) {
      await db.run('INSERT INTO break_glass_grants (username, ward_id, reason, granted_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
        username,
        grant.wardId,
        grant.reason,
        grant.grantedAt,
        grant.expiresAt,
      ]);
    },

    async activeGrants(username, at) {
      const rows = await db.all<{ ward_id: string; reason: string; granted_at: number | string; expires_at: number | string }>(
        'SELECT ward_id, reason, granted_at, expires_at FROM break_glass_grants WHERE username = ? AND expires_at > ? ORDER BY granted_at, id',
        [username, at],
      );
      return rows.map((r) => ({ wardId: r.ward_id, reason: r.reason, grantedAt: Number(r.granted_at), expiresAt: Number(r.expires_at) }));
    },
  };
}
