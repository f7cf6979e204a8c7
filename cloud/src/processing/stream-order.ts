/**
 * Per device stream, samples in sequence order: the input of the limit rules.
 *
 * A device numbers its samples (bootId, seq); the edge forwards them in that order, except after an outage, when its
 * uplink sends live records before the backlog (edge/src/uplink.ts): the cloud then sees seq 110 before seq 100. The
 * limit rules' condition delays are event-time state machines, so feeding them out of order would make an alarm's
 * onset (and so its id) depend on how a reconnect interleaved the lanes. This buffer releases a stream's samples
 * strictly in seq order: a sample that continues the stream (seq = last + 1) goes through at once, without any wait,
 * so in-order data adds no latency; one that leaves a gap waits for the missing ones.
 *
 * A gap can be permanent (the edge rejected a sample, a device dropped its oldest buffered samples). Waiting is
 * bounded in event time: once the stream's newest pending sample is `reorderMs` past the last released one, the gap
 * is given up and the pending samples go through in seq order. Default 10 s, the edge's late threshold: a record the
 * edge held longer arrives marked late, and late samples never drive an alarm anyway. A missing sample that arrives
 * after its gap was given up is released on its own, as out of order (`outOfOrder: true`); the rules ignore it.
 *
 * The first sample of an unknown stream starts it when its seq is 0 (a device boots at 0); otherwise it waits like a
 * gap, so that a stream first seen in the middle of a reconnect starts at its lowest pending seq, whatever the order.
 */
export interface OrderedSample {
  seq: number;
  t: number;
}

export interface StreamPosition {
  /** Last seq released in order, or null before the first. */
  lastSeq: number | null;
  /** Event time of that sample. */
  lastT: number | null;
}

export interface Released<S> {
  sample: S;
  /** true: arrived after its place in the stream was given up; history only. */
  outOfOrder: boolean;
}

export class StreamOrder<S extends OrderedSample> {
  lastSeq: number | null;
  lastT: number | null;
  /** Pending samples by seq (committed, not yet released). */
  readonly #pending = new Map<number, S>();
  #maxPendingT = -Infinity;
  /** Gaps given up so far (metric). */
  gapsSkipped = 0;

  constructor(position: StreamPosition, readonly reorderMs: number) {
    this.lastSeq = position.lastSeq;
    this.lastT = position.lastT;
  }

  get position(): StreamPosition {
    return { lastSeq: this.lastSeq, lastT: this.lastT };
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Add one (new, committed) sample; returns the samples now released, in order. */
  accept(sample: S): Released<S>[] {
    if (this.lastSeq !== null && sample.seq <= this.lastSeq) return [{ sample, outOfOrder: true }];
    if (this.#pending.has(sample.seq)) return [];
    this.#pending.set(sample.seq, sample);
    if (sample.t > this.#maxPendingT) this.#maxPendingT = sample.t;
    return this.#drain();
  }

  #next(): number | undefined {
    const want = this.lastSeq === null ? 0 : this.lastSeq + 1;
    if (this.#pending.has(want)) return want;
    // Give up the gap once the newest pending sample is reorderMs (event time) past the last released one (or, for
    // a stream not yet started, past its own oldest pending sample).
    let lowest = Infinity;
    for (const seq of this.#pending.keys()) if (seq < lowest) lowest = seq;
    if (lowest === Infinity) return undefined;
    const from = this.lastT ?? this.#pending.get(lowest)!.t;
    if (this.#maxPendingT - from >= this.reorderMs) {
      if (this.lastSeq !== null) this.gapsSkipped++;
      return lowest;
    }
    return undefined;
  }

  #drain(): Released<S>[] {
    const out: Released<S>[] = [];
    for (let seq = this.#next(); seq !== undefined; seq = this.#next()) {
      const sample = this.#pending.get(seq)!;
      this.#pending.delete(seq);
      this.lastSeq = seq;
      this.lastT = sample.t;
      out.push({ sample, outOfOrder: false });
    }
    if (this.#pending.size === 0) this.#maxPendingT = -Infinity;
    return out;
  }
}
