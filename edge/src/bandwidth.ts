/**
 * Bandwidth accounting: bytes in from devices per channel and bytes out on the uplink per record type, and the share
 * saved by the edge. Pure counters; the integrator feeds them (payload lengths) and exports them as metrics.
 * Optionally the bytes actually put on the wire (batched and compressed) are counted apart from the record bytes.
 */
import type { SessionMessage, UplinkRecord } from '@vigil/contracts';

export type InChannel = SessionMessage['channel'];
export type OutType = UplinkRecord['type'];

export interface Tally {
  bytes: number;
  count: number;
}

export interface BandwidthReport {
  in: { bytes: number; count: number; byChannel: Record<InChannel, Tally> };
  out: { bytes: number; count: number; byType: Record<OutType, Tally> };
  /** Uplink bytes on the wire (batches, after compression), when counted; else null. */
  wireBytes: number | null;
  /** 1 − out/in, from record bytes (0 when nothing came in; negative when the edge sends more than it receives). */
  savedFraction: number;
  /** 1 − wire/in, when wire bytes were counted; else null. */
  savedFractionWire: number | null;
}

const CHANNELS: readonly InChannel[] = ['vitals', 'status', 'wave'];
const TYPES: readonly OutType[] = ['sample', 'status', 'alarm', 'window', 'wave_summary', 'wave'];

/** UTF-8 length of a value's JSON: what it weighs as an MQTT payload or inside an uplink batch. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

export class BandwidthMeter {
  private readonly inBytes = new Float64Array(CHANNELS.length);
  private readonly inCount = new Float64Array(CHANNELS.length);
  private readonly outBytes = new Float64Array(TYPES.length);
  private readonly outCount = new Float64Array(TYPES.length);
  private wire = 0;
  private wireCounted = false;

  /** Count a device message of `bytes` on `channel`. */
  in(channel: InChannel, bytes: number, messages = 1): void {
    const i = CHANNELS.indexOf(channel);
    if (i < 0) throw new RangeError(`unknown channel ${channel}`);
    this.inBytes[i]! += bytes;
    this.inCount[i]! += messages;
  }

  /** Count an uplink record of `type` weighing `bytes`. */
  out(type: OutType, bytes: number, records = 1): void {
    const i = TYPES.indexOf(type);
    if (i < 0) throw new RangeError(`unknown record type ${type}`);
    this.outBytes[i]! += bytes;
    this.outCount[i]! += records;
  }

  /** Count bytes actually sent on the uplink (a batch, possibly compressed). */
  wireOut(bytes: number): void {
    this.wire += bytes;
    this.wireCounted = true;
  }

  report(): BandwidthReport {
    const byChannel = {} as Record<InChannel, Tally>;
    const byType = {} as Record<OutType, Tally>;
    let inB = 0, inN = 0, outB = 0, outN = 0;
    CHANNELS.forEach((c, i) => {
      byChannel[c] = { bytes: this.inBytes[i]!, count: this.inCount[i]! };
      inB += this.inBytes[i]!;
      inN += this.inCount[i]!;
    });
    TYPES.forEach((t, i) => {
      byType[t] = { bytes: this.outBytes[i]!, count: this.outCount[i]! };
      outB += this.outBytes[i]!;
      outN += this.outCount[i]!;
    });
    const wireBytes = this.wireCounted ? this.wire : null;
    return {
      in: { bytes: inB, count: inN, byChannel },
      out: { bytes: outB, count: outN, byType },
      wireBytes,
      savedFraction: inB > 0 ? 1 - outB / inB : 0,
      savedFractionWire: wireBytes !== null && inB > 0 ? 1 - wireBytes / inB : null,
    };
  }

  reset(): void {
    this.inBytes.fill(0);
    this.inCount.fill(0);
    this.outBytes.fill(0);
    this.outCount.fill(0);
    this.wire = 0;
    this.wireCounted = false;
  }
}
