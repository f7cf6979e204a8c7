'use client';
/**
 * The replay page: recordings (pick, play, upload, delete), the replays in progress with their controls, and the
 * alarm-burden lab. Data are fetched from the browser with the signed-in tab's token (auth/*); what a role may do is
 * shown here and enforced by the cloud.
 */
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { RecordingListResponse, ReplayListResponse, type PlayResponse, type RecordingInfo, type ReplayStatus } from '@vigil/contracts';
import { AccountBar } from '../auth/account-bar.tsx';
import { useRequireAuth } from '../auth/auth-context.tsx';
import { apiGet, CloudApiError } from '../auth/cloud-api.ts';
import { LabPanel } from './lab-panel.tsx';
import { RecordingsPanel, type CloudCall } from './recordings-panel.tsx';
import { ReplaysPanel } from './replays-panel.tsx';
import { messageOf, permissions } from './replay-api.ts';
import './replay.css';

const REPLAYS_POLL_MS = 2000; // 2 s: a replay's position, for the progress bars

export function ReplayScreen() {
  const { cloudUrl, status, token, session, sessionEnded } = useRequireAuth();
  const [recordings, setRecordings] = useState<RecordingInfo[] | null>(null);
  const [replays, setReplays] = useState<ReplayStatus[]>([]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [played, setPlayed] = useState<{ play: PlayResponse; name: string } | null>(null);
  const [tick, setTick] = useState(0);
  const { manage, control } = permissions(session?.role);

  const call = useMemo<CloudCall | null>(
    () =>
      token === null
        ? null
        : {
            cloudUrl,
            token,
            async run(what, action) {
              try {
                const result = await action();
                setError(null);
                return result;
              } catch (err) {
                if (err instanceof CloudApiError && err.unauthenticated) sessionEnded(err.message);
                else setError(`Could not ${what}: ${messageOf(err)}`);
                return undefined;
              }
            },
          },
    [cloudUrl, token, sessionEnded],
  );
  const refresh = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (status !== 'signed-in' || !call) return;
    let cancelled = false;
    void call.run('list recordings', () => apiGet(call.cloudUrl, call.token, '/api/recordings', RecordingListResponse)).then((list) => {
      if (cancelled || !list) return;
      setRecordings(list.recordings);
      // Forget selections of recordings that are gone.
      setSelected((s) => new Set([...s].filter((id) => list.recordings.some((r) => r.id === id))));
    });
    return () => {
      cancelled = true;
    };
  }, [status, call, tick]);

  useEffect(() => {
    if (status !== 'signed-in' || !call) return;
    let cancelled = false;
    const poll = () =>
      void apiGet(call.cloudUrl, call.token, '/api/replays', ReplayListResponse).then(
        (list) => !cancelled && setReplays(list.replays),
        (err: unknown) => {
          if (err instanceof CloudApiError && err.unauthenticated) sessionEnded(err.message);
        },
      );
    poll();
    const timer = setInterval(poll, REPLAYS_POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [status, call, tick, sessionEnded]);

  const toggle = useCallback(
    (id: string) =>
      setSelected((s) => {
        const next = new Set(s);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  // Lab order follows the list's order, not the order of the clicks.
  const recordingIds = (recordings ?? []).map((r) => r.id).filter((id) => selected.has(id));

  return (
    <main className="replay-screen">
      <header className="replay-head">
        <Link href="/" className="ward-back">
          ← Wards
        </Link>
        <h1>Replay and alarm-burden lab</h1>
        <AccountBar />
      </header>
      {error && (
        <p className="replay-error" role="alert" data-testid="replay-error">
          {error}
        </p>
      )}
      {played && (
        <p className="replay-played" data-testid="replay-played">
          Playing “{played.name}” into ward {played.play.wardId}:{' '}
          <Link href={`/ward/${encodeURIComponent(played.play.wardId)}`} data-testid="replay-played-link">
            open the replay ward
          </Link>
        </p>
      )}
      {status !== 'signed-in' || !call ? (
        <p className="replay-muted">Signing in…</p>
      ) : (
        <>
          <RecordingsPanel
            call={call}
            recordings={recordings}
            selected={selected}
            onToggle={toggle}
            onChanged={refresh}
            onPlayed={(play, r) => {
              setPlayed({ play, name: r.name });
              refresh();
            }}
            manage={manage}
            control={control}
          />
          <ReplaysPanel call={call} replays={replays} control={control} onChanged={refresh} />
          <LabPanel call={call} recordingIds={recordingIds} control={control} />
        </>
      )}
    </main>
  );
}
