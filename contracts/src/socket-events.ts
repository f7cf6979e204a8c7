/**
 * socket.io events between the cloud and the dashboard. The maps below are passed to socket.io's generics so that
 * server and client are type-checked against the same definitions; the zod schemas validate what arrives.
 *
 * Authentication: the session token from POST /api/auth/login goes in the handshake (`auth: { token }`); a socket
 * without a valid session is refused at connection, and is disconnected (`session:expired`) when its session ends.
 *
 * Resync: socket.io is at-most-once. Every alarm event carries a cursor, the durable sequence number of that alarm
 * change in the ward's alarm event log. A client that reconnects joins again with the last cursor it saw and gets,
 * in the acknowledgement, every alarm change after it (`missed`) besides a fresh snapshot; so no alarm raised or
 * ended while it was away is missing, even across a restart of the cloud.
 */
import { z } from 'zod';
import { Alarm } from './alarm.ts';
import { News2Score } from './api.ts';
import { ErrorBody } from './rest.ts';
import { BedId, Id, WardId } from './ids.ts';
import { DeviceUpdate, VitalsUpdate, WardSnapshot } from './ward-state.ts';

export const SOCKET_EVENTS = {
  /** client → server: join a ward's room; the acknowledgement carries the snapshot and the missed alarm changes. */
  wardJoin: 'ward:join',
  /** client → server: acknowledge, pause audio or escalate an alarm (same rules and audit as REST). */
  alarmAction: 'alarm:action',
  /** server → client */
  vitals: 'vitals',
  alarm: 'alarm',
  device: 'device',
  news2: 'news2',
  sessionExpired: 'session:expired',
} as const;

export const WardJoinRequest = z
  .object({
    wardId: WardId,
    /** The last alarm cursor this client saw in this ward (after a reconnect). */
    cursor: z.number().int().min(0).optional(),
  })
  .strict();
export type WardJoinRequest = z.infer<typeof WardJoinRequest>;

/** One alarm change as it was pushed, with its cursor. */
export const AlarmEvent = z.object({ cursor: z.number().int().min(1), alarm: Alarm }).strict();
export type AlarmEvent = z.infer<typeof AlarmEvent>;

// Strict like every other message: an unknown key is a defect, not something to drop silently.
export const WardJoinReply = z.union([
  z
    .object({
      ok: z.literal(true),
      snapshot: WardSnapshot,
      /** The newest alarm cursor of the ward (0: none yet); pass it back on the next join. */
      cursor: z.number().int().min(0),
      /** Alarm changes after the request's cursor, oldest first (empty without a cursor). */
      missed: z.array(AlarmEvent),
      /** true when the request's cursor was older than the kept log: the snapshot is the whole truth. */
      gap: z.boolean(),
    })
    .strict(),
  z.object({ ok: z.literal(false), error: ErrorBody.shape.error }).strict(),
]);
export type WardJoinReply = z.infer<typeof WardJoinReply>;

export const AlarmActionRequest = z
  .object({
    alarmId: Id,
    action: z.enum(['acknowledge', 'audio-pause', 'escalate']),
    durationS: z.number().int().min(1).max(600).optional(),
  })
  .strict();
export type AlarmActionRequest = z.infer<typeof AlarmActionRequest>;

export const AlarmActionReply = z.union([
  z.object({ ok: z.literal(true), alarm: Alarm }).strict(),
  z.object({ ok: z.literal(false), error: ErrorBody.shape.error }).strict(),
]);
export type AlarmActionReply = z.infer<typeof AlarmActionReply>;

export const News2Update = News2Score.extend({ wardId: WardId, bedId: BedId }).strict();
export type News2Update = z.infer<typeof News2Update>;

export interface ServerToClientEvents {
  vitals: (update: VitalsUpdate) => void;
  alarm: (alarm: Alarm, cursor: number) => void;
  device: (update: DeviceUpdate) => void;
  news2: (update: News2Update) => void;
  'session:expired': (reason: string) => void;
}

export interface ClientToServerEvents {
  'ward:join': (request: WardJoinRequest, reply: (reply: WardJoinReply) => void) => void;
  'alarm:action': (request: AlarmActionRequest, reply: (reply: AlarmActionReply) => void) => void;
}
