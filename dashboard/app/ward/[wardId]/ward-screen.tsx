'use client';
/**
 * The live central-station view of one ward: connection banner, bed grid and alarm inbox, with alarm sound and
 * keyboard shortcuts; for signed-in users only. With the cloud unreachable it falls back to the edge's local view
 * (use-edge-view.ts) where one is configured, and says so.
 */
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useState, type CSSProperties } from 'react';
import { compareAlarms, type Alarm } from '@vigil/contracts';
import { AccountBar } from '../../auth/account-bar.tsx';
import { useRequireAuth } from '../../auth/auth-context.tsx';
import { AlarmInbox, canAct, type InboxAction } from './alarm-inbox.tsx';
import { BedTile } from './bed-tile.tsx';
import { ConnectionBanner } from './connection-banner.tsx';
import { fetchEdgeAccess, storedEdgeAccess, type EdgeAccess } from './edge-access.ts';
import { mergeFallback } from './fallback-view.ts';
import { SoundToggle } from './sound-toggle.tsx';
import { staleVitals } from './tile-numerics.ts';
import { NEWS2_STALE_AFTER_MS } from './tile-status.ts';
import { useAlarmSound } from './use-alarm-sound.ts';
import { useEdgeView } from './use-edge-view.ts';
import { useInboxKeys } from './use-inbox-keys.ts';
import { useWardStream } from './use-ward-stream.ts';

/** Natural order, so bed 2 comes before bed 10. */
const byBedId = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;

/**
 * Smallest tile width for a ward size: few beds get big tiles (readable across the room); 48 still fit 1080p at 176 px.
 */
function tileMinWidth(beds: number): string {
  if (beds <= 8) return '300px';
  if (beds <= 16) return '240px';
  if (beds <= 24) return '210px';
  return '176px';
}

const ACTION_DONE: Record<InboxAction, string> = { acknowledge: 'Acknowledged', 'audio-pause': 'Audio paused', escalate: 'Escalated to the charge nurse' };
const NO_ALARMS: readonly Alarm[] = [];

export interface WardScreenProps {
  cloudUrl: string;
  wardId: string;
  /** Audio pause the inbox asks for, s (runtime-config.ts). */
  audioPauseS?: number;
  /** An edge local view is configured for this ward (the fallback while the cloud is unreachable). */
  edgeConfigured?: boolean;
}

/** Without a sign-in in this tab, nothing of the ward is fetched: useRequireAuth sends the user to /login. */
export function WardScreen({ cloudUrl, wardId, audioPauseS = 120, edgeConfigured = false }: WardScreenProps) {
  const auth = useRequireAuth();
  if (auth.status !== 'signed-in' || auth.token === null) {
    return (
      <div className="ward-screen">
        <p className="ward-waiting" data-testid="auth-checking">
          Checking sign-in…
        </p>
      </div>
    );
  }
  // key: a new sign-in starts a fresh stream.
  return (
    <LiveWard
      key={auth.token}
      cloudUrl={cloudUrl}
      wardId={wardId}
      token={auth.token}
      onSessionEnded={auth.sessionEnded}
      audioPauseS={audioPauseS}
      edgeConfigured={edgeConfigured}
    />
  );
}

interface LiveWardProps {
  cloudUrl: string;
  wardId: string;
  token: string;
  onSessionEnded: (reason: string) => void;
  audioPauseS: number;
  edgeConfigured: boolean;
}

function LiveWard({ cloudUrl, wardId, token, onSessionEnded, audioPauseS, edgeConfigured }: LiveWardProps) {
  const stream = useWardStream(cloudUrl, wardId, token, onSessionEnded);
  const { connection, error, forbidden, act } = stream;

  // The edge's address and token are fetched while the cloud vouches for the session, and kept for an outage.
  const [edgeAccess, setEdgeAccess] = useState<EdgeAccess | null>(() => (edgeConfigured ? storedEdgeAccess(wardId) : null));
  useEffect(() => {
    if (!edgeConfigured || edgeAccess || connection !== 'live') return;
    let cancelled = false;
    void fetchEdgeAccess(wardId, token).then((access) => !cancelled && access && setEdgeAccess(access));
    return () => {
      cancelled = true;
    };
  }, [edgeConfigured, edgeAccess, connection, wardId, token]);
  const edge = useEdgeView(wardId, edgeAccess, connection === 'offline' && !forbidden);
  const fallback = useMemo(() => (edge.state === 'live' && edge.ward ? mergeFallback(stream.ward, edge.ward) : null), [edge.state, edge.ward, stream.ward]);
  const ward = fallback?.ward ?? stream.ward;

  const beds = useMemo(() => (ward ? [...ward.beds.values()].sort((a, b) => byBedId(a.bedId, b.bedId)) : []), [ward?.beds]);
  const alarms = useMemo(() => (ward ? [...ward.alarms.values()].sort(compareAlarms) : []), [ward?.alarms]);
  // The list is sorted most urgent first, so the first alarm seen for a bed is the one its tile shows.
  const byBed = useMemo(() => {
    const map = new Map<string, Alarm[]>();
    for (const alarm of alarms) (map.get(alarm.bedId) ?? map.set(alarm.bedId, []).get(alarm.bedId)!).push(alarm);
    return map;
  }, [alarms]);
  const newestT = ward?.newestT ?? 0;

  const sound = useAlarmSound(alarms);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const readOnly =
    connection === 'live' ? null : fallback ? 'Read-only: the cloud is unreachable; the edge takes no alarm actions.' : 'Actions need the cloud connection.';
  // An edge alarm (fallback) cannot be acted on in the cloud even after it returns under another id: read-only too.
  const onAction = useCallback(
    (alarm: Alarm, action: InboxAction) => {
      if (readOnly || !canAct(alarm, action)) return;
      const request = action === 'audio-pause' ? { alarmId: alarm.id, action, durationS: audioPauseS } : { alarmId: alarm.id, action };
      setStatus({ ok: true, text: `${ACTION_DONE[action]}…` });
      act(request).then(
        (updated) => setStatus({ ok: true, text: `${ACTION_DONE[action]}: ${updated.bedId} ${updated.message}` }),
        (err: unknown) => setStatus({ ok: false, text: `${action} failed: ${err instanceof Error ? err.message : String(err)}` }),
      );
    },
    [readOnly, act, audioPauseS],
  );
  useInboxKeys({
    alarms,
    selectedId,
    select: setSelectedId,
    act: onAction,
    toggleSound: () => (sound.state === 'on' ? sound.disable() : sound.enable()),
  });

  return (
    <div className={`ward-screen${connection === 'offline' ? ' is-offline' : ''}${fallback ? ' is-fallback' : ''}`}>
      <header className="ward-head">
        <Link href="/" className="ward-back">
          ← Wards
        </Link>
        <h1>Ward {wardId}</h1>
        {!forbidden && <span className="ward-count">{beds.length} beds</span>}
        {!forbidden && <SoundToggle sound={sound} />}
        {!forbidden && (
          <ConnectionBanner state={connection} detail={error} offlineSince={stream.offlineSince} edge={edgeAccess ? edge.state : 'none'} />
        )}
        <AccountBar />
      </header>
      {forbidden ? (
        <main className="ward-forbidden">
          <p className="notice notice-error" role="alert" data-testid="ward-forbidden">
            You are not assigned to ward {wardId}. Nothing of this ward is shown; ask an administrator to assign you,
            or use break-glass access in an emergency.
          </p>
          <p>
            <Link href="/">Show my wards</Link>
          </p>
        </main>
      ) : (
        <main className="ward-body">
          <div className="bed-grid" data-testid="bed-grid" style={{ '--tile-min': tileMinWidth(beds.length) } as CSSProperties}>
            {beds.map((bed) => {
              const bedAlarms = byBed.get(bed.bedId) ?? NO_ALARMS;
              return (
                <BedTile
                  key={bed.bedId}
                  bed={bed}
                  alarm={bedAlarms[0] ?? null}
                  bedAlarms={bedAlarms}
                  stale={staleVitals(bed, newestT)}
                  news2Stale={bed.news2 ? newestT - bed.news2.end > NEWS2_STALE_AFTER_MS : false}
                  trend={ward?.trends?.get(bed.bedId)}
                />
              );
            })}
            {ward === null && <p className="ward-waiting">Waiting for the ward snapshot…</p>}
            {ward !== null && beds.length === 0 && <p className="ward-waiting">No beds in this ward yet.</p>}
          </div>
          <AlarmInbox
            alarms={alarms}
            selectedId={selectedId}
            onSelect={setSelectedId}
            onAction={onAction}
            readOnly={readOnly}
            status={status}
            audioPauseS={audioPauseS}
            {...(fallback ? { source: 'edge live · others last known' } : {})}
            {...(fallback ? { live: fallback.live } : {})}
          />
        </main>
      )}
    </div>
  );
}
