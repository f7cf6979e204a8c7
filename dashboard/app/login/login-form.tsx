'use client';
/**
 * The sign-in form. Errors are the cloud's own messages (the API's error body: "wrong username or password", the
 * lock-out after repeated failures, …); the reason a previous session ended is shown above the form.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { useAuth } from '../auth/auth-context.tsx';
import { takeSignInNotice } from '../auth/auth-storage.ts';
import { CloudApiError } from '../auth/cloud-api.ts';

export function LoginForm({ next }: { next: string }) {
  const { signIn } = useAuth();
  const router = useRouter();
  const password = useRef<HTMLInputElement>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Read once, in the browser: the notice lives in this tab's sessionStorage, never in the URL.
  useEffect(() => {
    const text = takeSignInNotice();
    if (text) setNotice(text);
  }, []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get('username') ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, String(form.get('password') ?? ''));
      router.replace(next);
    } catch (err) {
      setError(err instanceof CloudApiError ? err.message : 'sign-in failed');
      setNotice(null);
      setBusy(false);
      if (password.current) {
        password.current.value = '';
        password.current.focus();
      }
    }
  };

  return (
    <form className="login-card" onSubmit={submit} data-testid="login-form" aria-describedby="login-label">
      <h1>Vigil — sign in</h1>
      <p className="login-label" id="login-label" data-testid="product-label">
        Research and demonstration software — not a medical device.
      </p>
      {notice && (
        <p className="notice" role="status" data-testid="login-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="notice notice-error" role="alert" data-testid="login-error">
          Sign-in failed: {error}
        </p>
      )}
      <label htmlFor="login-username">Username</label>
      <input
        id="login-username"
        name="username"
        data-testid="login-username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        autoFocus
      />
      <label htmlFor="login-password">Password</label>
      <input
        ref={password}
        id="login-password"
        name="password"
        type="password"
        data-testid="login-password"
        autoComplete="current-password"
        required
      />
      <button type="submit" className="login-submit" data-testid="login-submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
