'use client';
/**
 * The live connection to one ward: socket.io to the cloud, resync on every (re)connect, validated updates,
 * and batching so that 48 beds at 1 Hz cost one React render per screen frame rather than one per message.
 */
import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import {
  Alarm,
  DeviceUpdate,
  SOCKET_EVENTS,
  VitalsUpdate,
  WardJoinReply,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@vigil/contracts';
import { applyAlarm, applyDevice, applyVitals, fromSnapshot, toDraft, toView, type WardDraft, type WardView } from './ward-store.ts';

export type ConnectionState = 'connecting' | 'live' | 'offline';

export interface WardStream {
  connection: ConnectionState;
  /** null until the first snapshot arrives; kept (and flagged by `connection`) while offline. */
  ward: WardView | null;
  /** Why the ward could not be joined (e.g. unknown ward), or null. */
  error: string | null;
}

const JOIN_TIMEOUT_MS = 10_000; // 10 s for the snapshot acknowledgement before trying again
const JOIN_RETRY_MS = 5_000; // 5 s between join attempts (a ward appears once its gateway sends data)

type Apply = (draft: WardDraft) => void;

export function useWardStream(cloudUrl: string, wardId: string): WardStream {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [ward, setWard] = useState<WardView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // Socket handlers write into `draft` (outside React); a frame callback publishes it. This is the "state in a
    // ref, flush with requestAnimationFrame" batching, scoped to the effect (the page keys this component by
    // ward and cloud, so a change of either mounts it afresh).
    let draft: WardDraft | null = null;
    // Updates that arrive while a join is in flight are replayed on top of the snapshot, not lost under it.
    let pending: Apply[] | null = null;
    let frame = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;

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
      reconnectionDelayMax: 5_000, // 5 s: a central station must come back quickly after a network blip
    });

    const scheduleJoin = () => {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => socket.connected && join(), JOIN_RETRY_MS);
    };

    const join = () => {
      pending = [];
      socket.timeout(JOIN_TIMEOUT_MS).emit(SOCKET_EVENTS.wardJoin, { wardId }, (err, raw) => {
        if (disposed) return;
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
          pending = null;
          setError(reply.data.error.message);
          scheduleJoin();
          return;
        }
        // Resync: the snapshot replaces local state wholesale, then buffered updates are replayed onto it.
        const next = toDraft(fromSnapshot(reply.data.snapshot));
        for (const apply of pending ?? []) apply(next);
        pending = null;
        draft = next;
        setWard(toView(next));
        setError(null);
        setConnection('live');
      });
    };

    socket.on('connect', () => {
      setConnection('connecting');
      join();
    });
    socket.on('disconnect', () => {
      pending = null;
      clearTimeout(retryTimer);
      setConnection('offline');
    });
    socket.on('connect_error', () => setConnection('offline'));

    socket.on(SOCKET_EVENTS.vitals, (raw) => {
      const update = VitalsUpdate.safeParse(raw);
      if (update.success) receive((d) => applyVitals(d, update.data));
      else console.warn('vigil: dropped an invalid vitals update', update.error.issues[0]);
    });
    socket.on(SOCKET_EVENTS.alarm, (raw) => {
      const alarm = Alarm.safeParse(raw);
      if (alarm.success) receive((d) => applyAlarm(d, alarm.data));
      else console.warn('vigil: dropped an invalid alarm', alarm.error.issues[0]);
    });
    socket.on(SOCKET_EVENTS.device, (raw) => {
      const update = DeviceUpdate.safeParse(raw);
      if (update.success) receive((d) => applyDevice(d, update.data));
      else console.warn('vigil: dropped an invalid device update', update.error.issues[0]);
    });

    return () => {
      disposed = true;
      cancelAnimationFrame(frame);
      clearTimeout(retryTimer);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [cloudUrl, wardId]);

  return { connection, ward, error };
}
