'use client';
/**
 * The live connection to one ward: socket.io to the cloud with the session token, resync on every (re)connect
 * (snapshot, then the alarm changes missed since the last cursor), validated updates, and batching so that 48 beds at
 * 1 Hz cost one React render per screen frame rather than one per message.
 */
import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import {
  Alarm,
  AlarmActionReply,
  AlarmEvent,
  DeviceUpdate,
  ErrorBody,
  News2Update,
  SOCKET_EVENTS,
  VitalsUpdate,
  WardJoinReply,
  type AlarmActionRequest,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@vigil/contracts';
import { recordTrend } from './bed-trends.ts';
import { applyAlarm, applyDevice, applyNews2, applyVitals, fromSnapshot, toDraft, toView, type WardDraft, type WardView } from './ward-store.ts';

export type ConnectionState = 'connecting' | 'live' | 'offline';

export interface WardStream {
  connection: ConnectionState;
  /** null until the first snapshot arrives; kept (and flagged by `connection`) while offline. */
  ward: WardView | null;
  /** Why the ward could not be joined (e.g. unknown ward), or null. */
  error: string | null;
  /** The user is not assigned to this ward (PM_ERR_FORBIDDEN): nothing of it is shown, and the stream stops. */
  forbidden: boolean;
  /** Browser time the cloud connection was lost (null while connected or before the first connection). */
  offlineSince: number | null;
  /**
   * An alarm action over the socket (`alarm:action`, same checks and audit as REST). Resolves with the updated alarm,
   * which is applied at once (the cloud also pushes it to every dashboard of the ward); rejects with the cloud's
   * message, or when not connected.
   */
  act(request: AlarmActionRequest): Promise<Alarm>;
}

const ACTION_TIMEOUT_MS = 10_000; // 10 s for the cloud to confirm an alarm action

const JOIN_TIMEOUT_MS = 10_000; // 10 s for the snapshot acknowledgement before trying again
const JOIN_RETRY_MS = 5_000; // 5 s between join attempts (a ward appears once its gateway sends data)

const Cursor = AlarmEvent.shape.cursor;

type Apply = (draft: WardDraft) => void;

/**
 * `onSessionEnded(reason)` is called once when the cloud refuses the token (`connect_error` with
 * PM_ERR_UNAUTHENTICATED) or ends the session (`session:expired`); the stream has stopped by then.
 */
export function useWardStream(cloudUrl: string, wardId: string, token: string, onSessionEnded: (reason: string) => void): WardStream {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [ward, setWard] = useState<WardView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [offlineSince, setOfflineSince] = useState<number | null>(null);
  const sessionEnded = useEffectEvent(onSessionEnded);
  // The live socket and a way to apply an alarm to the draft, for `act` (set by the effect below).
  const actRef = useRef<((request: AlarmActionRequest) => Promise<Alarm>) | null>(null);

  useEffect(() => {
    // Socket handlers write into `draft` (outside React); a frame callback publishes it. This is the "state in a
    // ref, flush with requestAnimationFrame" batching, scoped to the effect (the page keys this component by
    // ward, cloud and token, so a change of any mounts it afresh).
    let draft: WardDraft | null = null;
    // Updates that arrive while a join is in flight are replayed on top of the snapshot, not lost under it.
    let pending: Apply[] | null = null;
    // The newest alarm cursor seen (join reply, live `alarm` events); the next join sends it, and the cloud answers
    // with every alarm change after it. `pendingCursor`: the newest among the updates buffered during a join.
    let cursor: number | undefined;
    let pendingCursor = 0;
    let frame = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    // Session over or ward forbidden: no more joins or reconnects.
    let halted = false;

    const flush = () => {
      frame = 0;
      if (draft && !disposed) setWard(toView(draft));
    };
    const receive = (apply: Apply) => {
      if (pending) pending.push(apply);
      else if (draft) {
        apply(draft);
        if (frame === 0) frame = requestAnimationFrame(flush);
      }
    };

    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(cloudUrl, {
      auth: { token },
      reconnectionDelayMax: 5_000, // 5 s: a central station must come back quickly after a network blip
    });

    const halt = () => {
      halted = true;
      pending = null;
      clearTimeout(retryTimer);
      socket.disconnect();
    };
    const endSession = (reason: string) => {
      if (halted || disposed) return;
      halt();
      sessionEnded(reason);
    };

    const scheduleJoin = () => {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => socket.connected && !halted && join(), JOIN_RETRY_MS);
    };
    // socket.io reconnects by itself after a network failure, but not after the server refused or closed the
    // connection; then it is up to us (a refused session never gets here: it ends the stream).
    const scheduleConnect = () => {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => !halted && !disposed && socket.connect(), JOIN_RETRY_MS);
    };

    const join = () => {
      pending = [];
      pendingCursor = 0;
      const request = cursor === undefined ? { wardId } : { wardId, cursor };
      socket.timeout(JOIN_TIMEOUT_MS).emit(SOCKET_EVENTS.wardJoin, request, (err, raw) => {
        if (disposed || halted) return;
        if (err) {
          pending = null;
          setError('the cloud did not answer the ward request');
          scheduleJoin();
          return;
        }
        const reply = WardJoinReply.safeParse(raw);
        if (!reply.success) {
          pending = null;
          setError('the cloud sent a ward snapshot this dashboard does not understand');
          scheduleJoin();
          return;
        }
        if (!reply.data.ok) {
          const { code, message } = reply.data.error;
          if (code === 'PM_ERR_UNAUTHENTICATED') return endSession(message);
          if (code === 'PM_ERR_FORBIDDEN') {
            // Not this user's ward: show none of it (not even what an earlier join showed), and stop asking.
            halt();
            draft = null;
            setWard(null);
            setError(null);
            setForbidden(true);
            return;
          }
          pending = null;
          setError(message);
          scheduleJoin();
          return;
        }
        // Resync: the snapshot replaces local state wholesale; then the alarm changes missed since our cursor (a
        // change made between the cloud reading the snapshot and the log is only there), then the updates buffered
        // during the join. applyAlarm is idempotent, so a change seen twice is harmless. With `gap` the missed list
        // is cut short at its newest end and the snapshot alone is the truth: applying a truncated list could bring
        // back an alarm whose end was cut off.
        const { snapshot, missed, gap } = reply.data;
        const next = toDraft(fromSnapshot(snapshot));
        // The trend strips are built here from live data; the snapshot has none, so they carry over a resync.
        if (draft?.trends) next.trends = draft.trends;
        if (!gap) for (const event of missed) applyAlarm(next, event.alarm);
        for (const apply of pending ?? []) apply(next);
        pending = null;
        // The reply's cursor is the ward's newest (it also covers a cloud whose log restarted lower).
        cursor = Math.max(reply.data.cursor, pendingCursor);
        draft = next;
        setWard(toView(next));
        setError(null);
        setOfflineSince(null);
        setConnection('live');
      });
    };

    socket.on('connect', () => {
      setConnection('connecting');
      join();
    });
    socket.on('disconnect', (reason) => {
      pending = null;
      clearTimeout(retryTimer);
      if (halted) return;
      setConnection('offline');
      setOfflineSince((since) => since ?? Date.now());
      if (reason === 'io server disconnect') scheduleConnect();
    });
    socket.on('connect_error', (err) => {
      // The cloud refuses a socket without a valid session; `data` is the API's error body.
      const body = ErrorBody.safeParse((err as Error & { data?: unknown }).data);
      if (body.success && body.data.error.code === 'PM_ERR_UNAUTHENTICATED') return endSession(body.data.error.message);
      setConnection('offline');
      setOfflineSince((since) => since ?? Date.now());
      if (!socket.active) {
        // Refused for another reason (e.g. the cloud's database is down): say why, and try again.
        setError(body.success ? body.data.error.message : err.message);
        scheduleConnect();
      }
    });
    socket.on(SOCKET_EVENTS.sessionExpired, (reason) => endSession(typeof reason === 'string' && reason ? reason : 'session ended'));

    socket.on(SOCKET_EVENTS.vitals, (raw) => {
      const update = VitalsUpdate.safeParse(raw);
      if (update.success) {
        receive((d) => {
          applyVitals(d, update.data);
          const trends = d.trends ?? new Map();
          const before = trends.get(update.data.bedId);
          const after = recordTrend(before, update.data);
          if (after !== before) d.trends = new Map(trends).set(update.data.bedId, after);
        });
      } else console.warn('vigil: dropped an invalid vitals update', update.error.issues[0]);
    });
    socket.on(SOCKET_EVENTS.alarm, (raw, rawCursor) => {
      const alarm = Alarm.safeParse(raw);
      if (!alarm.success) {
        console.warn('vigil: dropped an invalid alarm', alarm.error.issues[0]);
        return;
      }
      receive((d) => applyAlarm(d, alarm.data));
      const seen = Cursor.safeParse(rawCursor);
      if (!seen.success) return;
      if (pending) pendingCursor = Math.max(pendingCursor, seen.data);
      else if (draft) cursor = Math.max(cursor ?? 0, seen.data);
    });
    socket.on(SOCKET_EVENTS.device, (raw) => {
      const update = DeviceUpdate.safeParse(raw);
      if (update.success) receive((d) => applyDevice(d, update.data));
      else console.warn('vigil: dropped an invalid device update', update.error.issues[0]);
    });

    socket.on(SOCKET_EVENTS.news2, (raw) => {
      const update = News2Update.safeParse(raw);
      if (update.success) receive((d) => applyNews2(d, update.data));
      else console.warn('vigil: dropped an invalid NEWS2 update', update.error.issues[0]);
    });

    actRef.current = (request) =>
      new Promise<Alarm>((resolve, reject) => {
        if (!socket.connected || halted) {
          reject(new Error('not connected to the cloud'));
          return;
        }
        socket.timeout(ACTION_TIMEOUT_MS).emit(SOCKET_EVENTS.alarmAction, request, (err, raw) => {
          if (err) return reject(new Error('the cloud did not confirm the action'));
          const reply = AlarmActionReply.safeParse(raw);
          if (!reply.success) return reject(new Error('the cloud sent an answer this dashboard does not understand'));
          if (!reply.data.ok) {
            if (reply.data.error.code === 'PM_ERR_UNAUTHENTICATED') endSession(reply.data.error.message);
            return reject(new Error(reply.data.error.message));
          }
          const alarm = reply.data.alarm;
          receive((d) => applyAlarm(d, alarm));
          resolve(alarm);
        });
      });

    return () => {
      actRef.current = null;
      disposed = true;
      cancelAnimationFrame(frame);
      clearTimeout(retryTimer);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [cloudUrl, wardId, token]);

  const act = useCallback((request: AlarmActionRequest) => actRef.current?.(request) ?? Promise.reject(new Error('not connected to the cloud')), []);
  return { connection, ward, error, forbidden, offlineSince, act };
}
