'use client';
/** Who is signed in, and the way out (POST /api/auth/logout, then the sign-in page). */
import { useState } from 'react';
import type { SessionInfo } from '@vigil/contracts';
import { useAuth } from './auth-context.tsx';

const ROLE_LABEL: Record<SessionInfo['role'], string> = { clinician: 'clinician', charge_nurse: 'charge nurse', admin: 'administrator', researcher: 'researcher' };

export function AccountBar() {
  const { session, signOut } = useAuth();
  const [busy, setBusy] = useState(false);
  if (!session) return null;
  return (
    <div className="account-bar" data-testid="account-bar">
      <span className="account-user" data-testid="account-user">
        {session.username} <span className="account-role">({ROLE_LABEL[session.role]})</span>
      </span>
      <button
        type="button"
        className="sign-out"
        data-testid="sign-out"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void signOut();
        }}
      >
        Sign out
      </button>
    </div>
  );
}
