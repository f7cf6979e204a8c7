/**
 * What reaches the wire, and when: the device's outbox, with the technical faults that act on delivery.
 *
 * - Radio drop-out: messages are held in the device's buffer (numerics and statuses; waveform chunks are QoS 0 and
 *   dropped, as the MQTT link does). The buffer holds `bufferLimit` messages; beyond that the oldest is lost (a
 *   device with fixed memory). At the episode's offset the device reconnects and sends the buffer in order, one
 *   message every `flushSpacingMs`: `t` stays the original, `sentAt` is after the gap.
 * - Duplicate sends: every numerics sample handed to the radio while the episode is active goes out twice, the
 *   second copy `repeatDelayMs` later with the same seq (a QoS 1 resend whose acknowledgement was lost).
 * - Death: whatever is buffered or not yet sent is lost.
 * The outbox is ordered by sentAt; ties keep the order of sending.
 */
import type { SessionMessage } from '@vigil/contracts';

export interface Delivery {
  /** Hand a message to the radio at true time `tau`. */
  send(tau: number, record: SessionMessage, faults: { dropout?: { offset: number | null }; repeatDelayMs?: number }): void;
  /** When the device next reconnects after a drop-out (null when not disconnected). */
  readonly reconnectAt: number | null;
  /** Reconnect: send the buffer from `reconnectAt` on; `repeatDelayMs` when duplicates are active then. */
  reconnect(repeatDelayMs?: number): void;
  /** Lose the buffer and everything not sent by `tau`. */
  die(tau: number): void;
  /** Messages with sentAt ≤ t, in send order, removed from the outbox. */
  take(t: number): SessionMessage[];
}

export function createDelivery(options: { bufferLimit: number; flushSpacingMs: number }): Delivery {
  const outbox: SessionMessage[] = [];
  let head = 0;
  let buffer: SessionMessage[] = [];
  let reconnectAt: number | null = null;
  let lastFifo = -Infinity; // the radio sends in order: a message never leaves before the one handed over earlier

  const insert = (record: SessionMessage) => {
    let i = outbox.length;
    while (i > head && outbox[i - 1]!.sentAt > record.sentAt) i--;
    outbox.splice(i, 0, record);
  };
  const transmit = (tau: number, record: SessionMessage, repeatDelayMs: number | undefined) => {
    const sentAt = Math.max(tau, lastFifo);
    lastFifo = sentAt;
    insert({ ...record, sentAt } as SessionMessage);
    if (repeatDelayMs !== undefined && record.channel === 'vitals') insert({ ...record, sentAt: sentAt + repeatDelayMs });
  };

  return {
    get reconnectAt() {
      return reconnectAt;
    },
    send(tau, record, faults) {
      if (faults.dropout) {
        // An open-ended drop-out never reconnects (the device keeps buffering to no avail).
        reconnectAt = faults.dropout.offset;
        if (record.channel === 'wave') return;
        buffer.push(record);
        if (buffer.length > options.bufferLimit) buffer.shift();
        return;
      }
      transmit(tau, record, faults.repeatDelayMs);
    },
    reconnect(repeatDelayMs) {
      if (reconnectAt === null) return;
      const at = reconnectAt;
      buffer.forEach((record, i) => transmit(at + i * options.flushSpacingMs, record, repeatDelayMs));
      buffer = [];
      reconnectAt = null;
    },
    die(tau) {
      buffer = [];
      reconnectAt = null;
      while (outbox.length > head && outbox[outbox.length - 1]!.sentAt > tau) outbox.pop();
    },
    take(t) {
      let end = head;
      while (end < outbox.length && outbox[end]!.sentAt <= t) end++;
      const out = outbox.slice(head, end);
      head = end;
      if (head > 1024 && head * 2 > outbox.length) {
        outbox.splice(0, head);
        head = 0;
      }
      return out;
    },
  };
}
