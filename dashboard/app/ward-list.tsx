'use client';
/**
 * The signed-in user's wards. Fetched from the browser, not the server: the token lives in this tab's
 * sessionStorage (auth/auth-storage.ts), which the dashboard's server never sees.
 */
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { WardListResponse, type WardSummary } from '@vigil/contracts';
import { AccountBar } from './auth/account-bar.tsx';
import { useRequireAuth } from './auth/auth-context.tsx';
import { apiGet, CloudApiError } from './auth/cloud-api.ts';

type WardsResult = { state: 'loading' } | { state: 'ok'; wards: WardSummary[] } | { state: 'error'; reason: string };

const byWardId = new Intl.Collator(undefined, { numeric: true }).compare;

export function WardList() {
  const { cloudUrl, status, token, sessionEnded } = useRequireAuth();
  const [result, setResult] = useState<WardsResult>({ state: 'loading' });

  useEffect(() => {
    if (status !== 'signed-in' || token === null) return;
    let cancelled = false;
    apiGet(cloudUrl, token, '/api/wards', WardListResponse).then(
      ({ wards }) => !cancelled && setResult({ state: 'ok', wards: [...wards].sort((a, b) => byWardId(a.wardId, b.wardId)) }),
      (err: unknown) => {
        if (cancelled) return;
        if (err instanceof CloudApiError && err.unauthenticated) sessionEnded(err.message);
        else setResult({ state: 'error', reason: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [cloudUrl, status, token, sessionEnded]);

  return (
    <>
      <header className="home-head">
        <h1>Vigil — wards</h1>
        <AccountBar />
      </header>
      {status !== 'signed-in' || result.state === 'loading' ? (
        <p className="home-waiting">Loading your wards…</p>
      ) : result.state === 'error' ? (
        <p className="home-error" role="alert" data-testid="ward-list-error">
          Cannot list wards: {result.reason}. Check that the cloud service is running, then reload.
        </p>
      ) : result.wards.length === 0 ? (
        <p data-testid="ward-list-empty">
          No wards to show: you are not assigned to a ward that has sent data yet. Ask an administrator to assign you to your ward.
        </p>
      ) : (
        <ul className="ward-list" data-testid="ward-list">
          {result.wards.map((ward) => (
            <li key={ward.wardId}>
              <Link href={`/ward/${encodeURIComponent(ward.wardId)}`} data-testid={`ward-link-${ward.wardId}`}>
                <span className="ward-name">{ward.wardId}</span>
                <span className="ward-meta">
                  {ward.beds} {ward.beds === 1 ? 'bed' : 'beds'}
                  {' · '}
                  <span className={ward.activeAlarms > 0 ? 'ward-alarms' : undefined}>
                    {ward.activeAlarms} active {ward.activeAlarms === 1 ? 'alarm' : 'alarms'}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
