/**
 * A dashboard as the cloud sees one: a socket.io client signed in as a clinician of the ward, joined to its room
 * (contracts/src/socket-events.ts). It timestamps what is pushed:
 *   - alarms: device → dashboard alarm latency = arrival − `raisedAt`, the event time of the sample that completed
 *     the condition delay (the device's clock when it measured; one machine, one clock). Each alarm once, on its
 *     first event (later events of the same id are updates or actions). Rule alarms only: NEWS2 alarms are decided
 *     at a window end plus the watermark bound, by design seconds later, and technical ones come from the edge;
 *   - vitals: device → dashboard latency of every live value (arrival − sample time).
 */
import { io, type Socket } from 'socket.io-client';
import type { Alarm, ClientToServerEvents, ServerToClientEvents, VitalsUpdate, WardJoinReply } from '@vigil/contracts';

export interface ReceivedAlarm {
  id: string;
  code: string;
  bedId: string;
  raisedAt: number;
  receivedAt: number;
}

export class DashboardClient {
  readonly alarms: ReceivedAlarm[] = [];
  /** [event time, arrival] of every vitals update. */
  readonly vitals: Array<[number, number]> = [];
  readonly #seen = new Set<string>();
  readonly #socket: Socket<ServerToClientEvents, ClientToServerEvents>;

  private constructor(socket: Socket<ServerToClientEvents, ClientToServerEvents>) {
    this.#socket = socket;
    socket.on('alarm', (alarm: Alarm) => {
      const receivedAt = Date.now();
      if (this.#seen.has(alarm.id)) return;
      this.#seen.add(alarm.id);
      if (alarm.kind !== 'physiological' || alarm.source === 'news2') return;
      this.alarms.push({ id: alarm.id, code: alarm.code, bedId: alarm.bedId, raisedAt: alarm.raisedAt, receivedAt });
    });
    socket.on('vitals', (update: VitalsUpdate) => void this.vitals.push([update.t, Date.now()]));
  }

  static async join(cloudUrl: string, token: string, wardId: string): Promise<DashboardClient> {
    const socket = io(cloudUrl, { transports: ['websocket'], auth: { token } }) as Socket<ServerToClientEvents, ClientToServerEvents>;
    await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
    const client = new DashboardClient(socket);
    const reply = (await socket.emitWithAck('ward:join', { wardId })) as WardJoinReply;
    if (!reply.ok) throw new Error(`ward:join ${wardId} refused: ${reply.error.code} ${reply.error.message}`);
    return client;
  }

  close(): void {
    this.#socket.close();
  }
}
