/**
 * Duplicate and regression detection by (deviceId, bootId, seq). A device resends unacknowledged QoS 1 messages
 * after a reconnect, so duplicates are normal; a seq far below what was seen in the same boot is not.
 * In memory: after a gateway restart a duplicate may pass once, and the cloud's idempotent store absorbs it.
 */

/** How far back out-of-order seqs are still accepted (a device's resend buffer is smaller than this). */
export const REORDER_WINDOW = 4096;

export type DedupeVerdict = 'new' | 'duplicate' | 'regression';

interface BootState {
  max: number;
  seen: Set<number>;
}

export class SampleDeduper {
  readonly #boots = new Map<string, BootState>();

  check(deviceId: string, bootId: string, seq: number): DedupeVerdict {
    const key = `${deviceId}\u0000${bootId}`;
    let state = this.#boots.get(key);
    if (!state) {
      state = { max: -1, seen: new Set() };
      this.#boots.set(key, state);
    }
    if (state.seen.has(seq)) return 'duplicate';
    if (seq <= state.max - REORDER_WINDOW) return 'regression';
    return 'new';
  }

  /**
   * Record a key as taken. Called when the record is queued for the outbox, so that a duplicate arriving before the
   * group commit is caught; `release` undoes it if the commit fails, so that the device's resend is accepted.
   */
  commit(deviceId: string, bootId: string, seq: number): void {
    const state = this.#boots.get(`${deviceId}\u0000${bootId}`);
    if (!state) return;
    state.seen.add(seq);
    if (seq > state.max) {
      state.max = seq;
      // Prune lazily so the set stays around one window in size.
      if (state.seen.size > 2 * REORDER_WINDOW) {
        for (const s of state.seen) if (s <= state.max - REORDER_WINDOW) state.seen.delete(s);
      }
    }
  }

  /** The write of a committed key failed: forget it so the resend is accepted. */
  release(deviceId: string, bootId: string, seq: number): void {
    this.#boots.get(`${deviceId}\u0000${bootId}`)?.seen.delete(seq);
  }

  /** A device that reboots gets a new bootId; forget its old boots. */
  forgetDevice(deviceId: string, keepBootId: string): void {
    for (const key of this.#boots.keys()) {
      if (key.startsWith(`${deviceId}\u0000`) && key !== `${deviceId}\u0000${keepBootId}`) this.#boots.delete(key);
    }
  }
}
