/**
 * A guard in front of an MQTT broker's connection: it reads the MQTT fixed header of every packet as the bytes
 * arrive, before the broker's parser buffers anything, and cuts the connection on
 *   - a packet whose Remaining Length exceeds the maximum packet size (the parser would otherwise buffer up to
 *     256 MB per connection waiting for the body) → PM_ERR_PACKET_TOO_LARGE;
 *   - a first packet that is not CONNECT [MQTT-3.1.0-1], a Remaining Length encoded in more than four bytes
 *     [MQTT-2.2.3], a reserved packet type 0 / 15, or a packet only a server sends (CONNACK, SUBACK, UNSUBACK,
 *     PINGRESP: aedes closed those connections silently, uncounted; found by test/fuzz) → PM_ERR_MQTT_PROTOCOL.
 * Bytes pass through unchanged; the broker still parses and validates everything else.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { PmError } from './errors.ts';

const CONNECT = 1;
/** Packet types only a server sends [MQTT-2.2.1]: CONNACK, SUBACK, UNSUBACK, PINGRESP. */
const SERVER_TO_CLIENT = new Set([2, 9, 11, 13]);

/** Incremental scanner of MQTT fixed headers. `feed` returns the violation, or null while the stream is valid. */
export class MqttFrameScanner {
  readonly #maxPacketBytes: number;
  #first = true;
  /** Bytes of the current packet body still to skip. */
  #skip = 0;
  /** Header state: -1 = expecting the type byte; otherwise the number of length bytes read so far. */
  #lengthBytes = -1;
  #length = 0;
  #multiplier = 1;

  constructor(maxPacketBytes: number) {
    this.#maxPacketBytes = maxPacketBytes;
  }

  feed(chunk: Buffer): PmError | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.#lengthBytes === -1) {
        const type = byte >> 4;
        if (this.#first && type !== CONNECT) return new PmError('PM_ERR_MQTT_PROTOCOL', `first packet is type ${type}, not CONNECT [MQTT-3.1.0-1]`);
        if (type === 0 || type === 15) return new PmError('PM_ERR_MQTT_PROTOCOL', `reserved packet type ${type}`);
        if (SERVER_TO_CLIENT.has(type)) return new PmError('PM_ERR_MQTT_PROTOCOL', `packet type ${type} is sent by servers only`);
        this.#first = false;
        this.#lengthBytes = 0;
        this.#length = 0;
        this.#multiplier = 1;
        continue;
      }
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lengthBytes++;
      if (byte & 0x80) {
        if (this.#lengthBytes === 4) return new PmError('PM_ERR_MQTT_PROTOCOL', 'Remaining Length longer than four bytes [MQTT-2.2.3]');
        continue;
      }
      // Fixed header (type byte + length bytes) + body.
      const total = 1 + this.#lengthBytes + this.#length;
      if (total > this.#maxPacketBytes) {
        return new PmError('PM_ERR_PACKET_TOO_LARGE', `packet of ${total} bytes exceeds the maximum of ${this.#maxPacketBytes}`);
      }
      this.#skip = this.#length;
      this.#lengthBytes = -1;
    }
    return null;
  }
}

/**
 * The socket as the broker sees it, with the scanner in the read path. Writes go straight to the socket. On a
 * violation the socket is destroyed and `onViolation` reports why.
 */
export function guardConnection(socket: Socket, maxPacketBytes: number, onViolation: (error: PmError) => void): Duplex {
  const scanner = new MqttFrameScanner(maxPacketBytes);
  const guarded: Duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (socket.destroyed) return callback();
      socket.write(chunk, () => callback());
    },
    // aedes writes many small packets (PUBACKs) at once; pass them to the socket as one system call, not one each.
    writev(chunks: Array<{ chunk: Buffer }>, callback) {
      if (socket.destroyed) return callback();
      socket.cork();
      for (let i = 0; i < chunks.length - 1; i++) socket.write(chunks[i]!.chunk);
      socket.write(chunks[chunks.length - 1]!.chunk, () => callback());
      socket.uncork();
    },
    final(callback) {
      socket.end(() => callback());
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    const violation = scanner.feed(chunk);
    if (violation) {
      socket.removeAllListeners('data');
      onViolation(violation);
      guarded.destroy();
      return;
    }
    if (!guarded.push(chunk)) socket.pause();
  });
  socket.on('end', () => guarded.push(null));
  socket.on('close', () => {
    if (!guarded.destroyed) guarded.destroy();
  });
  socket.on('error', () => {
    if (!guarded.destroyed) guarded.destroy();
  });
  return guarded;
}

/** Socket-level error codes: the peer left or the link broke; not a rejection of what the peer sent. */
const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * What the broker's own error on a connection (aedes 'clientError' / 'connectionError') means for the rejection
 * metrics: the broker cut the connection for what the peer sent — its parser refused a packet (bad flags, bad
 * protocol name or level, strings running past the body), a second CONNECT [MQTT-3.1.0-2], an empty or wildcard
 * PUBLISH topic [MQTT-3.3.2-2], too many topic levels, no CONNECT in time [MQTT-3.1.4] — as PM_ERR_MQTT_PROTOCOL;
 * or null when there is nothing to count here: a PmError was counted where our hooks raised it, a socket error or
 * a keepalive timeout is the peer (or its network) going away.
 */
export function brokerErrorAsRejection(err: unknown): PmError | null {
  if (err instanceof PmError) return null;
  if (!(err instanceof Error)) return new PmError('PM_ERR_MQTT_PROTOCOL', String(err));
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && PEER_GONE.has(code)) return null;
  // aedes fails the writes still pending on a connection that closed with 'connection closed'.
  if (/keep ?alive timeout|^connection closed$/i.test(err.message)) return null;
  return new PmError('PM_ERR_MQTT_PROTOCOL', err.message);
}
