/**
 * socket.io events between the cloud and the dashboard. The maps below are passed to socket.io's generics so that
 * server and client are type-checked against the same definitions; the zod schemas validate what arrives.
 */
import { z } from 'zod';
import { Alarm } from './alarm.ts';
import { ErrorBody } from './rest.ts';
import { WardId } from './ids.ts';
import { DeviceUpdate, VitalsUpdate, WardSnapshot } from './ward-state.ts';

export const SOCKET_EVENTS = {
  /** client → server: join a ward's room; the acknowledgement carries the ward snapshot. */
  wardJoin: 'ward:join',
  /** server → client */
  vitals: 'vitals',
  alarm: 'alarm',
  device: 'device',
} as const;

export const WardJoinRequest = z.object({ wardId: WardId }).strict();
export type WardJoinRequest = z.infer<typeof WardJoinRequest>;

// Strict like every other message: an unknown key is a defect, not something to drop silently.
export const WardJoinReply = z.union([
  z.object({ ok: z.literal(true), snapshot: WardSnapshot }).strict(),
  z.object({ ok: z.literal(false), error: ErrorBody.shape.error }).strict(),
]);
export type WardJoinReply = z.infer<typeof WardJoinReply>;

export interface ServerToClientEvents {
  vitals: (update: VitalsUpdate) => void;
  alarm: (alarm: Alarm) => void;
  device: (update: DeviceUpdate) => void;
}

export interface ClientToServerEvents {
  'ward:join': (request: WardJoinRequest, reply: (reply: WardJoinReply) => void) => void;
}
