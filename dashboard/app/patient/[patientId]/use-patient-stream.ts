'use client';
/**
 * The live connection of the patient view: socket.io to the cloud with the session token, joined to the patient's
 * ward room (the cloud has no per-patient room; events are filtered here to the patient). Vitals go into the
 * PatientLive store (outside React); alarms, NEWS2 and device states are rare and become React state.
 *
 * Resync: every (re)connect joins again with the newest alarm cursor seen and applies the alarm changes missed
 * meanwhile (socket-events.ts). Nothing here is replaced wholesale (alarms are merged by id and time, samples go into
 * an ordered ring), so updates that arrive during a join need no buffering. `joins` counts the successful joins: the
 * view reloads its REST reads (history, NEWS2, alarm list) when it moves past 1, to fill what the socket missed.
 */
import { useEffect, useEffectEvent, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import {
  Alarm,
  AlarmEvent,
  DeviceUpdate,
  ErrorBody,
  News2Update,
  SOCKET_EVENTS,
  VitalsUpdate,
  WardJoinReply,
  type BedDevice,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@vigil/contracts';
import type { ConnectionState } from '../../ward/[wardId]/use-ward-stream.ts';
import type { PatientLive } from './patient-live.ts';

export type { ConnectionState };

export interface PatientStreamHandlers {
  /** Alarm changes of this patient (live, or from a join's snapshot and missed list). */
  onAlarms(alarms: Alarm[]): void;
  onNews2(update: News2Update): void;
  onSessionEnded(reason: string): void;
}

export interface PatientStream {
  connection: ConnectionState;
  error: string | null;
  /** The user is not assigned to the patient's ward: the stream stops. */
  forbidden: boolean;
  /** Successful joins so far (1 after the first; more after reconnects). */
  joins: number;
  /** The patient's devices, as the ward snapshot and device updates report them. */
  devices: readonly BedDevice[];
  /** Server clock minus browser clock at the last join, ms (history ranges are asked in server time). */
  serverOffsetMs: number;
}

const JOIN_TIMEOUT_MS = 10_000; // 10 s for the snapshot acknowledgement before trying again
const RETRY_MS = 5_000; // 5 s between join or connect attempts

const Cursor = AlarmEvent.shape.cursor;

function upsertDevice(devices: readonly BedDevice[], update: BedDevice): readonly BedDevice[] {
  const held = devices.find((d) => d.deviceId === update.deviceId);
  if (held && held.t > update.t) return devices;
  return held ? devices.map((d) => (d.deviceId === update.deviceId ? update : d)) : [...devices, update];
}

export function usePatientStream(cloudUrl: string, wardId: string, patientId: string, token: string, live: PatientLive, handlers: PatientStreamHandlers): PatientStream {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [joins, setJoins] = useState(0);
  const [devices, setDevices] = useState<readonly BedDevice[]>([]);
  const [serverOffsetMs, setServerOffsetMs] = useState(0);
  const onAlarms = useEffectEvent(handlers.onAlarms);
  const onNews2 = useEffectEvent(handlers.onNews2);
  const sessionEnded = useEffectEvent(handlers.onSessionEnded);

  useEffect(() => {
    let cursor: number | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    let halted = false;

    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(cloudUrl, {
      auth: { token },
      reconnectionDelayMax: 5_000, // 5 s: come back quickly after a network blip
    });
    const halt = () => {
      halted = true;
      clearTimeout(retryTimer);
      socket.disconnect();
    };
    const endSession = (reason: string) => {
      if (halted || disposed) return;
      halt();
      sessionEnded(reason);
    };
    const retry = (fn: () => void) => {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => !halted && !disposed && fn(), RETRY_MS);
    };

    const join = () => {
      const request = cursor === undefined ? { wardId } : { wardId, cursor };
      const sentAt = Date.now();
      socket.timeout(JOIN_TIMEOUT_MS).emit(SOCKET_EVENTS.wardJoin, request, (err, raw) => {
        if (disposed || halted) return;
        if (err) {
          setError('the cloud did not answer the ward request');
          return retry(() => socket.connected && join());
        }
        const reply = WardJoinReply.safeParse(raw);
        if (!reply.success) {
          setError('the cloud sent a ward snapshot this dashboard does not understand');
          return retry(() => socket.connected && join());
        }
        if (!reply.data.ok) {
          const { code, message } = reply.data.error;
          if (code === 'PM_ERR_UNAUTHENTICATED') return endSession(message);
          if (code === 'PM_ERR_FORBIDDEN') {
            halt();
            setForbidden(true);
            return;
          }
          setError(message);
          return retry(() => socket.connected && join());
        }
        const { snapshot, missed, gap } = reply.data;
        // The snapshot's server time against the midpoint of the round trip.
        setServerOffsetMs(snapshot.at - (sentAt + Date.now()) / 2);
        const bed = snapshot.beds.find((b) => b.patientId === patientId);
        for (const other of snapshot.beds) for (const v of Object.values(other.latest)) if (v) live.seeWardTime(v.t);
        if (bed) {
          live.applyBed(bed);
          setDevices(bed.devices);
        }
        // With `gap` the missed list is cut short; the snapshot (open and recently ended alarms) and the REST list
        // the view reloads after this join are the truth.
        onAlarms([...snapshot.alarms, ...(gap ? [] : missed.map((m) => m.alarm))].filter((a) => a.patientId === patientId));
        cursor = Math.max(reply.data.cursor, cursor ?? 0);
        setError(null);
        setConnection('live');
        setJoins((n) => n + 1);
      });
    };

    socket.on('connect', () => {
      setConnection('connecting');
      join();
    });
    socket.on('disconnect', (reason) => {
      clearTimeout(retryTimer);
      if (halted) return;
      setConnection('offline');
      if (reason === 'io server disconnect') retry(() => socket.connect());
    });
    socket.on('connect_error', (err) => {
      const body = ErrorBody.safeParse((err as Error & { data?: unknown }).data);
      if (body.success && body.data.error.code === 'PM_ERR_UNAUTHENTICATED') return endSession(body.data.error.message);
      setConnection('offline');
      if (!socket.active) {
        setError(body.success ? body.data.error.message : err.message);
        retry(() => socket.connect());
      }
    });
    socket.on(SOCKET_EVENTS.sessionExpired, (reason) => endSession(typeof reason === 'string' && reason ? reason : 'session ended'));

    socket.on(SOCKET_EVENTS.vitals, (raw) => {
      const update = VitalsUpdate.safeParse(raw);
      if (update.success) live.applyVitals(update.data);
      else console.warn('vigil: dropped an invalid vitals update', update.error.issues[0]);
    });
    socket.on(SOCKET_EVENTS.alarm, (raw, rawCursor) => {
      const alarm = Alarm.safeParse(raw);
      if (!alarm.success) {
        console.warn('vigil: dropped an invalid alarm', alarm.error.issues[0]);
        return;
      }
      const seen = Cursor.safeParse(rawCursor);
      if (seen.success) cursor = Math.max(cursor ?? 0, seen.data);
      if (alarm.data.patientId === patientId) onAlarms([alarm.data]);
    });
    socket.on(SOCKET_EVENTS.news2, (raw) => {
      const update = News2Update.safeParse(raw);
      if (!update.success) {
        console.warn('vigil: dropped an invalid NEWS2 update', update.error.issues[0]);
        return;
      }
      if (update.data.patientId === patientId) onNews2(update.data);
    });
    socket.on(SOCKET_EVENTS.device, (raw) => {
      const update = DeviceUpdate.safeParse(raw);
      if (!update.success) return;
      if (update.data.patientId !== patientId) return;
      const { deviceId, deviceType, state, battery, t } = update.data;
      setDevices((held) => upsertDevice(held, { deviceId, deviceType, state, battery, t }));
    });

    return () => {
      disposed = true;
      clearTimeout(retryTimer);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [cloudUrl, wardId, patientId, token, live]);

  return { connection, error, forbidden, joins, devices, serverOffsetMs };
}
