/**
 * Where the dashboard keeps its sign-in: `sessionStorage`, one entry per browser tab.
 *
 * Why sessionStorage and not localStorage: a shared workstation on a ward is the normal case, so closing the tab
 * (or the browser) must sign the user out, and a second tab must not silently inherit someone else's session.
 * Why not a cookie: the cloud is a different origin from the dashboard and takes `Authorization: Bearer` and the
 * socket.io handshake `auth: { token }` (contracts/src/auth.ts), so a cookie would add nothing but CSRF exposure.
 * The token never goes in a URL (it would land in the history, proxy logs and Referer headers); the sign-in page gets
 * only a return path and reads the reason for a sign-out from here, not from its query string.
 * Like any script-readable storage it is exposed to XSS; the session's idle and absolute timeouts bound the damage.
 */
import { LoginResponse } from '@vigil/contracts';

const SESSION_KEY = 'vigil.session';
/** Why the last session ended, shown once on the sign-in page. */
const NOTICE_KEY = 'vigil.signin-notice';

const listeners = new Set<() => void>();
let cachedRaw: string | null = null;
let cached: LoginResponse | null = null;

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.sessionStorage;
  } catch {
    return null; // storage disabled (privacy settings): behave as signed out
  }
}

function notify(): void {
  for (const listener of listeners) listener();
}

/** The stored sign-in, or null. The same object is returned while the entry is unchanged (useSyncExternalStore). */
export function readStoredSession(): LoginResponse | null {
  const raw = storage()?.getItem(SESSION_KEY) ?? null;
  if (raw !== cachedRaw) {
    cachedRaw = raw;
    cached = null;
    if (raw !== null) {
      try {
        const parsed = LoginResponse.safeParse(JSON.parse(raw));
        cached = parsed.success ? parsed.data : null;
      } catch {
        cached = null;
      }
    }
  }
  return cached;
}

export function storeSession(login: LoginResponse): void {
  storage()?.setItem(SESSION_KEY, JSON.stringify(login));
  storage()?.removeItem(NOTICE_KEY);
  notify();
}

/** Keys of other per-session entries (the ward's edge access, ward/[wardId]/edge-access.ts): forgotten with the sign-in. */
const SESSION_SCOPED_PREFIXES = ['vigil.edge-access.'];

/** Forget the sign-in; `notice` (e.g. "session expired after inactivity") is shown on the sign-in page. */
export function clearSession(notice?: string): void {
  const store = storage();
  store?.removeItem(SESSION_KEY);
  if (store) {
    const keys = Array.from({ length: store.length }, (_, i) => store.key(i)).filter((k): k is string => k !== null);
    for (const key of keys) if (SESSION_SCOPED_PREFIXES.some((p) => key.startsWith(p))) store.removeItem(key);
  }
  if (notice) storage()?.setItem(NOTICE_KEY, notice);
  notify();
}

/** The sign-out notice, removed as it is read so that a reload does not show it again. */
export function takeSignInNotice(): string | null {
  const notice = storage()?.getItem(NOTICE_KEY) ?? null;
  if (notice !== null) storage()?.removeItem(NOTICE_KEY);
  return notice;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
