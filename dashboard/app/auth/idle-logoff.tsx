'use client';
/**
 * Idle logoff in the browser. The cloud ends a session after its idle timeout (VIGIL_CLOUD_IDLE_TIMEOUT_S) and tells
 * open sockets (`session:expired`), which sends the user to the sign-in page with the reason (auth-context.tsx).
 * This component adds the two halves the cloud cannot do:
 * - activity: a key press, click or touch on the dashboard slides the cloud's idle timeout (GET /api/auth/session,
 *   at most once per ACTIVITY_TOUCH_MS), since watching a ward over a socket alone is not activity;
 * - the countdown: a warning in the last WARN_BEFORE_MS, and a sign-out at the expiry by the browser's own clock,
 *   so a screen that lost the cloud still locks itself.
 */
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { SessionInfo } from '@vigil/contracts';
import { useAuth } from './auth-context.tsx';
import { storeSession } from './auth-storage.ts';
import { apiGet, CloudApiError } from './cloud-api.ts';

const ACTIVITY_TOUCH_MS = 60_000; // 1 min: one session check per minute of activity at most
const WARN_BEFORE_MS = 60_000; // warn 1 min before the idle logoff
const GRACE_MS = 2_000; // the cloud decides first when it is reachable; the browser follows shortly after

export function IdleLogoff() {
  const { cloudUrl, token, session, sessionEnded } = useAuth();
  const lastTouch = useRef(0);
  const [now, setNow] = useState(() => Date.now());

  const touch = useEffectEvent(() => {
    if (!token || Date.now() - lastTouch.current < ACTIVITY_TOUCH_MS) return;
    lastTouch.current = Date.now();
    apiGet(cloudUrl, token, '/api/auth/session', SessionInfo).then(
      (fresh) => storeSession({ token, session: fresh }),
      (err: unknown) => {
        if (err instanceof CloudApiError && err.unauthenticated) sessionEnded(err.message);
        // unreachable: the local countdown below still applies
      },
    );
  });

  useEffect(() => {
    if (!token) return;
    const onActivity = () => touch();
    const events = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;
    for (const e of events) window.addEventListener(e, onActivity, { passive: true });
    return () => {
      for (const e of events) window.removeEventListener(e, onActivity);
    };
  }, [token]);

  const expiresAt = session?.idleExpiresAt ?? null;
  useEffect(() => {
    if (expiresAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [expiresAt]);

  const expired = useEffectEvent(() => sessionEnded('session expired after inactivity'));
  useEffect(() => {
    if (expiresAt !== null && now >= expiresAt + GRACE_MS) expired();
  }, [now, expiresAt]);

  if (expiresAt === null || expiresAt - now > WARN_BEFORE_MS || now >= expiresAt + GRACE_MS) return null;
  const left = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  return (
    <div className="idle-warning" role="alert" data-testid="idle-warning">
      Signing out in {left} s for inactivity — press any key or click to stay signed in.
    </div>
  );
}
