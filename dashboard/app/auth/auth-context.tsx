'use client';
/**
 * Sign-in state for the whole dashboard: the session from sessionStorage (auth-storage.ts), sign-in and sign-out
 * against the cloud, and one way back to the sign-in page when the cloud says the session is over (a 401, a refused
 * socket, `session:expired`), with the reason shown there.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { usePathname, useRouter } from 'next/navigation';
import { EmptyRequest, type SessionInfo } from '@vigil/contracts';
import { clearSession, readStoredSession, storeSession, subscribeSession } from './auth-storage.ts';
import { apiPost, login } from './cloud-api.ts';

/** `loading` until the browser's storage has been read (the server never sees the token). */
export type AuthStatus = 'loading' | 'signed-out' | 'signed-in';

export interface Auth {
  cloudUrl: string;
  status: AuthStatus;
  token: string | null;
  session: SessionInfo | null;
  /** Throws a CloudApiError with the API's message (wrong username or password, too many attempts, …). */
  signIn(username: string, password: string): Promise<void>;
  /** Ends the session on the cloud (best effort) and here, then shows the sign-in page. */
  signOut(): Promise<void>;
  /** The cloud ended or refused the session: forget it and go to the sign-in page, which shows `reason`. */
  sessionEnded(reason: string): void;
}

const AuthContext = createContext<Auth | null>(null);

/** The sign-in page, with where to come back to (a path of this dashboard; never a token). */
export function loginPath(returnTo: string | null): string {
  return returnTo && returnTo !== '/' && !returnTo.startsWith('/login') ? `/login?next=${encodeURIComponent(returnTo)}` : '/login';
}

const serverSnapshot = () => undefined;

export function AuthProvider({ cloudUrl, children }: { cloudUrl: string; children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const stored = useSyncExternalStore(subscribeSession, readStoredSession, serverSnapshot);
  const status: AuthStatus = stored === undefined ? 'loading' : stored === null ? 'signed-out' : 'signed-in';
  const token = stored?.token ?? null;

  const signIn = useCallback(
    async (username: string, password: string) => {
      storeSession(await login(cloudUrl, username, password));
    },
    [cloudUrl],
  );

  const signOut = useCallback(async () => {
    if (token) await apiPost(cloudUrl, token, '/api/auth/logout', {}, EmptyRequest).catch(() => undefined);
    clearSession('You signed out.');
    router.replace('/login');
  }, [cloudUrl, token, router]);

  const sessionEnded = useCallback(
    (reason: string) => {
      clearSession(`Signed out: ${reason}. Please sign in again.`);
      router.replace(loginPath(pathname));
    },
    [pathname, router],
  );

  const value = useMemo<Auth>(
    () => ({ cloudUrl, status, token, session: stored?.session ?? null, signIn, signOut, sessionEnded }),
    [cloudUrl, status, token, stored, signIn, signOut, sessionEnded],
  );
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth needs an <AuthProvider> (app/layout.tsx)');
  return auth;
}

/** For pages that show patient data: without a sign-in in this tab, go to the sign-in page and come back after. */
export function useRequireAuth(): Auth {
  const auth = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  useEffect(() => {
    if (auth.status === 'signed-out') router.replace(loginPath(pathname));
  }, [auth.status, pathname, router]);
  return auth;
}
