/**
 * Window kinds and the arithmetic that places an event time in windows. Times are integer milliseconds since the
 * epoch (ARCHITECTURE.md, "Time and identity"); fixed windows are aligned to epoch 0, so [k·slide, k·slide + size).
 * Intervals are half-open: an element at exactly t = end belongs to the next window.
 */
import { PmError } from '@vigil/contracts';

export type WindowSpec =
  | { kind: 'tumbling'; sizeMs: number }
  | { kind: 'sliding'; sizeMs: number; slideMs: number }
  | { kind: 'session'; gapMs: number };

/** Half-open interval [start, end) of event time, in ms. */
export interface WindowBounds {
  start: number;
  end: number;
}

/** Tumbling and sliding windows share one shape: fixed size, advancing by slide (tumbling: slide = size). */
export interface FixedWindows {
  sizeMs: number;
  slideMs: number;
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PmError('PM_ERR_CONFIG_INVALID', `window spec: ${name} must be a positive finite number of ms, got ${String(value)}`);
  }
  return value;
}

/** Validate a spec (fail fast, PM_ERR_CONFIG_INVALID) and return it unchanged. */
export function validateWindowSpec(spec: WindowSpec): WindowSpec {
  switch (spec.kind) {
    case 'tumbling':
      positive('sizeMs', spec.sizeMs);
      return spec;
    case 'sliding': {
      const size = positive('sizeMs', spec.sizeMs);
      const slide = positive('slideMs', spec.slideMs);
      if (size % slide !== 0) throw new PmError('PM_ERR_CONFIG_INVALID', `window spec: sizeMs (${size}) must be a multiple of slideMs (${slide})`);
      return spec;
    }
    case 'session':
      positive('gapMs', spec.gapMs);
      return spec;
    default:
      throw new PmError('PM_ERR_CONFIG_INVALID', `window spec: unknown kind ${JSON.stringify((spec as { kind?: unknown }).kind)}`);
  }
}

/** The fixed-window shape of a tumbling or sliding spec; undefined for sessions. */
export function fixedWindows(spec: WindowSpec): FixedWindows | undefined {
  if (spec.kind === 'tumbling') return { sizeMs: spec.sizeMs, slideMs: spec.sizeMs };
  if (spec.kind === 'sliding') return { sizeMs: spec.sizeMs, slideMs: spec.slideMs };
  return undefined;
}

/** Start of the latest fixed window containing t (the greatest multiple of slide ≤ t). */
export function latestStart(t: number, slideMs: number): number {
  return Math.floor(t / slideMs) * slideMs;
}

/** Start of the earliest fixed window whose end is after `time` (the smallest multiple of slide > time − size). */
export function firstStartEndingAfter(time: number, w: FixedWindows): number {
  return latestStart(time - w.sizeMs, w.slideMs) + w.slideMs;
}

/**
 * The windows an element at event time t falls in, ordered by end. Tumbling: one; sliding: size/slide of them.
 * Session: the element's own proto-session [t, t + gap), before any merging with its neighbours.
 */
export function assignWindows(spec: WindowSpec, t: number): WindowBounds[] {
  const w = fixedWindows(spec);
  if (!w) return [{ start: t, end: t + (spec as { gapMs: number }).gapMs }];
  const out: WindowBounds[] = [];
  for (let s = latestStart(t, w.slideMs) - w.sizeMs + w.slideMs; s <= t; s += w.slideMs) out.push({ start: s, end: s + w.sizeMs });
  return out;
}
