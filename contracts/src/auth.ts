/**
 * Clinician accounts and sessions. A user has one role and is assigned to wards; patient data of a ward is readable
 * only by users assigned to it, or through a time-limited break-glass grant given with a reason (audited).
 */
import { z } from 'zod';
import { EpochMs, WardId } from './ids.ts';

/**
 * clinician: reads and acts on alarms of their wards. charge_nurse: the same, plus patient alarm limits, and is the
 * second role an unacknowledged alarm escalates to. admin: users and the audit log; patient data only for assigned
 * wards, like everyone else. researcher: recordings (upload, delete), replays and the alarm-burden lab; no live ward.
 */
export const Role = z.enum(['clinician', 'charge_nurse', 'admin', 'researcher']);
export type Role = z.infer<typeof Role>;

export const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,39}$/, 'username: 2-40 of [a-z0-9._-]');

export const LoginRequest = z.object({ username: Username, password: z.string().min(1).max(200) }).strict();
export type LoginRequest = z.infer<typeof LoginRequest>;

export const BreakGlassGrant = z
  .object({ wardId: WardId, reason: z.string(), grantedAt: EpochMs, expiresAt: EpochMs })
  .strict();
export type BreakGlassGrant = z.infer<typeof BreakGlassGrant>;

export const SessionInfo = z
  .object({
    username: Username,
    role: Role,
    wards: z.array(WardId),
    breakGlass: z.array(BreakGlassGrant),
    /** The session ends at the first of these (wall clock): idle timeout (renewed by each request) and absolute. */
    idleExpiresAt: EpochMs,
    absoluteExpiresAt: EpochMs,
  })
  .strict();
export type SessionInfo = z.infer<typeof SessionInfo>;

/** The token goes in `Authorization: Bearer …` (REST) and in socket.io's `auth: { token }`. */
export const LoginResponse = z.object({ token: z.string(), session: SessionInfo }).strict();
export type LoginResponse = z.infer<typeof LoginResponse>;

/** Break-glass: emergency access to a ward one is not assigned to, for a limited time, with a stated reason. */
export const BreakGlassRequest = z.object({ wardId: WardId, reason: z.string().trim().min(10).max(500) }).strict();
export type BreakGlassRequest = z.infer<typeof BreakGlassRequest>;

export const UserCreateRequest = z
  .object({ username: Username, password: z.string().min(12).max(200), role: Role, wards: z.array(WardId).max(200) })
  .strict();
export type UserCreateRequest = z.infer<typeof UserCreateRequest>;

export const UserSummary = z.object({ username: Username, role: Role, wards: z.array(WardId), disabled: z.boolean() }).strict();
export type UserSummary = z.infer<typeof UserSummary>;

/** One audit entry: every read of patient data and every alarm action (hash-chained, append-only). */
export const AuditEntry = z
  .object({
    seq: z.number().int().min(1),
    at: EpochMs,
    actor: z.string(),
    role: z.string(),
    action: z.string(),
    wardId: z.string().nullable(),
    patientId: z.string().nullable(),
    resource: z.string(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .strict();
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditVerifyResult = z
  .object({ ok: z.boolean(), checked: z.number().int(), brokenAt: z.number().int().nullable(), reason: z.string().nullable() })
  .strict();
export type AuditVerifyResult = z.infer<typeof AuditVerifyResult>;
