/**
 * Turning untrusted bytes into a validated message, with one specific error code per way it can fail.
 * Used at every process boundary (edge ingest, cloud ingest).
 */
import type { z } from 'zod';
import { PmError } from './errors.ts';

export interface PayloadLimits {
  /** Bytes; checked before anything is decoded. */
  maxBytes: number;
  /** Nesting depth of objects and arrays. */
  maxDepth: number;
}

export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = { maxBytes: 16 * 1024, maxDepth: 8 };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Depth of nesting, found without recursion so a hostile payload cannot exhaust the stack. */
function exceedsDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

function mayHoldForbiddenKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('prototype') || text.includes('\\u');
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: PmError };

/** Decode, parse and validate; never throws. */
export function parsePayload<S extends z.ZodType>(
  schema: S,
  payload: Uint8Array | string,
  limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS,
): ParseResult<z.infer<S>> {
  const size = typeof payload === 'string' ? new TextEncoder().encode(payload).byteLength : payload.byteLength;
  if (size > limits.maxBytes) {
    return { ok: false, error: new PmError('PM_ERR_PAYLOAD_TOO_LARGE', `payload is ${size} bytes; the limit is ${limits.maxBytes}`) };
  }
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return { ok: false, error: new PmError('PM_ERR_PAYLOAD_ENCODING') };
  }
  if (exceedsDepth(text, limits.maxDepth)) {
    return { ok: false, error: new PmError('PM_ERR_PAYLOAD_TOO_DEEP', `payload nests deeper than ${limits.maxDepth}`) };
  }
  let raw: unknown;
  let forbidden: string | undefined;
  try {
    // A reviver makes JSON.parse several times slower, so it runs only when a forbidden word, or a \u escape that
    // could spell one, appears in the text at all (rare); otherwise no key can be forbidden.
    raw = mayHoldForbiddenKey(text)
      ? JSON.parse(text, (key, value: unknown) => {
          if (FORBIDDEN_KEYS.has(key)) forbidden = key;
          return value;
        })
      : JSON.parse(text);
  } catch (err) {
    return { ok: false, error: new PmError('PM_ERR_PAYLOAD_JSON', `payload is not valid JSON: ${(err as Error).message.slice(0, 120)}`) };
  }
  if (forbidden !== undefined) {
    return { ok: false, error: new PmError('PM_ERR_PAYLOAD_FORBIDDEN_KEY', `payload contains the key ${JSON.stringify(forbidden)}`) };
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const details = result.error.issues.slice(0, 10).map((issue) => ({
      path: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
    }));
    const first = details[0];
    return {
      ok: false,
      error: new PmError('PM_ERR_PAYLOAD_SCHEMA', first ? `${first.path}: ${first.message}` : undefined, details),
    };
  }
  return { ok: true, value: result.data };
}
