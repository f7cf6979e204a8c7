'use client';
/**
 * The fallback when the cloud is unreachable: the edge gateway's own view of the ward (edge/src/local-view.ts), which
 * speaks the cloud's socket contracts (ward:join snapshot, then vitals / alarm / device), so the same merge rules
 * apply (ward-store.ts). It carries the edge's local alarms only: critical limits and technical alarms, raised at the
 * edge without the cloud. Connected only while `active`; read-only (the edge takes no alarm actions).
 * A refusal by the edge never signs the user out: the edge's token is not the user's session.
 */
import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { Alarm, DeviceUpdate, SOCKET_EVENTS, VitalsUpdate, WardJoinReply, type ClientToServerEvents, type ServerToClientEvents } from '@vigil/contracts';
import type { EdgeAccess } from './edge-access.ts';
import { applyAlarm, applyDevice, applyVitals, fromSnapshot, toDraft, toView, type WardDraft, type WardView } from './ward-store.ts';

export type EdgeViewState = 'off' | 'connecting' | 'live' | 'unreachable';

export interface EdgeView {
  state: EdgeViewState;
  ward: WardView | null;
  error: string | null;
}

const JOIN_TIMEOUT_MS = 5_000; // 5 s: the edge answers from memory

export function useEdgeView(wardId: string, access: EdgeAccess | null, active: boolean): EdgeView {
  const [state, setState] = useState<EdgeViewState>('off');
  const [ward, setWard] = useState<WardView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!active || !access) {
      setState('off');
      setWard(null);
      return;
    }
    let draft: WardDraft | null = null;
    let frame = 0;
    let disposed = false;
    setState('connecting');
    const flush = () => {
      frame = 0;
      if (draft && !disposed) setWard(toView(draft));
    };
    const receive = (apply: (d: WardDraft) => void) => {
      if (!draft) return;
      apply(draft);
      if (frame === 0) frame = requestAnimationFrame(flush);
    };
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(access.url, { auth: { token: access.token }, reconnectionDelayMax: 5_000 });
    socket.on('connect', () => {
      socket.timeout(JOIN_TIMEOUT_MS).emit(SOCKET_EVENTS.wardJoin, { wardId }, (err, raw) => {
        if (disposed) return;
        const reply = WardJoinReply.safeParse(raw);
        if (err || !reply.success || !reply.data.ok) {
          setState('unreachable');
          setError(err ? 'the edge did not answer' : reply.success && !reply.data.ok ? reply.data.error.message : 'unreadable answer from the edge');
          return;
        }
        draft = toDraft(fromSnapshot(reply.data.snapshot));
        setWard(toView(draft));
        setError(null);
        setState('live');
      });
    });
    socket.on('disconnect', () => !disposed && setState('unreachable'));
    socket.on('connect_error', (err) => {
      if (disposed) return;
      setState('unreachable');
      setError(err.message);
    });
    socket.on(SOCKET_EVENTS.vitals, (raw) => {
      const update = VitalsUpdate.safeParse(raw);
      if (update.success) receive((d) => applyVitals(d, update.data));
    });
    socket.on(SOCKET_EVENTS.alarm, (raw) => {
      const alarm = Alarm.safeParse(raw);
      if (alarm.success) receive((d) => applyAlarm(d, alarm.data));
    });
    socket.on(SOCKET_EVENTS.device, (raw) => {
      const update = DeviceUpdate.safeParse(raw);
      if (update.success) receive((d) => applyDevice(d, update.data));
    });
    return () => {
      disposed = true;
      cancelAnimationFrame(frame);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [wardId, access, active]);

  return { state, ward, error };
}
