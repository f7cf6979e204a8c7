/** `/login`: sign in to the cloud; `?next=` is where to go afterwards (a path of this dashboard, nothing else). */
import type { Metadata } from 'next';
import { LoginForm } from './login-form.tsx';

export const metadata: Metadata = { title: 'Sign in — Vigil' };

interface LoginPageProps {
  searchParams: Promise<{ next?: string | string[] }>;
}

/** Only a local path: `//host` or `/\host` would send the user to another site after sign-in (open redirect). */
function returnPath(raw: string | string[] | undefined): string {
  const next = Array.isArray(raw) ? raw[0] : raw;
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
}

export default async function LoginPage({ searchParams }: LoginPageProps) {
  const { next } = await searchParams;
  return (
    <main className="login">
      <LoginForm next={returnPath(next)} />
    </main>
  );
}
