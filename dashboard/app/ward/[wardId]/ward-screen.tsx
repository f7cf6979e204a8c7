'use client';
/** The live central-station view of one ward: connection banner, bed grid and alarm list; for signed-in users only. */
import Link from 'next/link';
import { useMemo, type CSSProperties } from 'react';
import { compareAlarms, type Alarm } from '@vigil/contracts';
import { AccountBar } from '../../auth/account-bar.tsx';
import { useRequireAuth } from '../../auth/auth-context.tsx';
import { AlarmList } from './alarm-list.tsx';
import { BedTile } from './bed-tile.tsx';
import { ConnectionBanner } from './connection-banner.tsx';
import { staleVitals } from './tile-numerics.ts';
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

/** Without a sign-in in this tab, nothing of the ward is fetched: useRequireAuth sends the user to /login. */
export function WardScreen({ cloudUrl, wardId }: { cloudUrl: string; wardId: string }) {
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
  return <LiveWard key={auth.token} cloudUrl={cloudUrl} wardId={wardId} token={auth.token} onSessionEnded={auth.sessionEnded} />;
}

interface LiveWardProps {
  cloudUrl: string;
  wardId: string;
  token: string;
  onSessionEnded: (reason: string) => void;
}

function LiveWard({ cloudUrl, wardId, token, onSessionEnded }: LiveWardProps) {
  const { connection, ward, error, forbidden } = useWardStream(cloudUrl, wardId, token, onSessionEnded);

  const beds = useMemo(() => (ward ? [...ward.beds.values()].sort((a, b) => byBedId(a.bedId, b.bedId)) : []), [ward?.beds]);
  const alarms = useMemo(() => (ward ? [...ward.alarms.values()].sort(compareAlarms) : []), [ward?.alarms]);
  // The list is sorted most urgent first, so the first alarm seen for a bed is the one its tile shows.
  const topAlarm = useMemo(() => {
    const top = new Map<string, Alarm>();
    for (const alarm of alarms) if (!top.has(alarm.bedId)) top.set(alarm.bedId, alarm);
    return top;
  }, [alarms]);
  const newestT = ward?.newestT ?? 0;

  return (
    <div className={`ward-screen${connection === 'offline' ? ' is-offline' : ''}`}>
      <header className="ward-head">
        <Link href="/" className="ward-back">
          ← Wards
        </Link>
        <h1>Ward {wardId}</h1>
        {!forbidden && <span className="ward-count">{beds.length} beds</span>}
        {!forbidden && <ConnectionBanner state={connection} detail={error} />}
        <AccountBar />
      </header>
      {forbidden ? (
        <main className="ward-forbidden">
          <p className="notice notice-error" role="alert" data-testid="ward-forbidden">
            You are not assigned to this ward.
          </p>
          <p>
            <Link href="/">Show my wards</Link>
          </p>
        </main>
      ) : (
        <main className="ward-body">
          <div className="bed-grid" data-testid="bed-grid" style={{ '--tile-min': tileMinWidth(beds.length) } as CSSProperties}>
            {beds.map((bed) => (
              <BedTile key={bed.bedId} bed={bed} alarm={topAlarm.get(bed.bedId) ?? null} stale={staleVitals(bed, newestT)} />
            ))}
            {ward === null && <p className="ward-waiting">Waiting for the ward snapshot…</p>}
            {ward !== null && beds.length === 0 && <p className="ward-waiting">No beds in this ward yet.</p>}
          </div>
          <AlarmList alarms={alarms} />
        </main>
      )}
    </div>
  );
}
