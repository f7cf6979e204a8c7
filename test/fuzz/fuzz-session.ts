/**
 * One fuzz connection over raw TCP: write the script's chunks, read what the broker answers (parsed with
 * mqtt-packet), and tell whether the broker closed the connection or went quiet (then we close it, so no broker
 * timer fires later and blurs the accounting of the next connection).
 */
import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface SessionResult {
  /** The broker closed the connection (FIN or reset) before we did. */
  serverClosed: boolean;
  /** What the broker sent, in order: e.g. 'connack:0', 'connack:5', 'suback:128', 'puback'. */
  answers: string[];
  bytesSent: number;
}

export interface SessionOptions {
  port: number;
  /** Close after this long without anything from the broker, ms. */
  quietMs: number;
  /** Close after this long at most, ms. */
  maxMs: number;
}

function describe(packet: Packet): string {
  if (packet.cmd === 'connack') return `connack:${packet.returnCode ?? 0}`;
  if (packet.cmd === 'suback') return `suback:${packet.granted.map((g) => (typeof g === 'number' ? g : (g as { qos: number }).qos)).join(',')}`;
  return packet.cmd;
}

export function runSession(chunks: Buffer[], options: SessionOptions): Promise<SessionResult> {
  return new Promise((resolve) => {
    const answers: string[] = [];
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p: Packet) => answers.push(describe(p)));
    parser.on('error', (e: Error) => answers.push(`unparsable:${e.message}`));
    let bytesSent = 0;
    let done = false;
    let weClosed = false;
    let quiet: NodeJS.Timeout | undefined;
    const socket: Socket = connect({ port: options.port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    const finish = (serverClosed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      clearTimeout(deadline);
      resolve({ serverClosed, answers, bytesSent });
    };
    const closeOurselves = () => {
      weClosed = true;
      socket.destroy();
      finish(false);
    };
    const armQuiet = () => {
      clearTimeout(quiet);
      quiet = setTimeout(closeOurselves, options.quietMs);
    };
    const deadline = setTimeout(closeOurselves, options.maxMs);
    socket.on('data', (data: Buffer) => {
      parser.parse(data);
      armQuiet();
    });
    socket.on('end', () => finish(!weClosed));
    socket.on('close', () => finish(!weClosed));
    // A reset while we write is the broker cutting us off too.
    socket.on('error', () => finish(!weClosed));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (done || socket.destroyed) return;
        bytesSent += chunk.length;
        const flushed = socket.write(chunk);
        // Let the broker see separate writes as separate reads (framing is part of what is fuzzed).
        if (!flushed) await new Promise<void>((r) => socket.once('drain', () => r()));
        else await new Promise<void>((r) => setImmediate(r));
      }
      armQuiet();
    });
  });
}
