/** `/`: the wards the cloud knows, each linking to its central-station view. */
import Link from 'next/link';
import { WardListResponse, type WardSummary } from '@vigil/contracts';
import { getCloudUrl } from './cloud-url.ts';

/** A server-side fetch must not hang the page when the cloud is down. */
const FETCH_TIMEOUT_MS = 3000;

type WardsResult = { ok: true; wards: WardSummary[] } | { ok: false; reason: string };

async function fetchWards(cloudUrl: string): Promise<WardsResult> {
  try {
    const res = await fetch(`${cloudUrl}/api/wards`, { cache: 'no-store', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) return { ok: false, reason: `the cloud answered HTTP ${res.status}` };
    const parsed = WardListResponse.safeParse(await res.json());
    if (!parsed.success) return { ok: false, reason: 'the cloud sent a ward list this dashboard does not understand' };
    return { ok: true, wards: parsed.data.wards };
  } catch {
    return { ok: false, reason: 'the cloud is unreachable' };
  }
}

const byWardId = new Intl.Collator(undefined, { numeric: true }).compare;

export default async function HomePage() {
  const cloudUrl = await getCloudUrl();
  const result = await fetchWards(cloudUrl);

  return (
    <main className="home">
      <h1>Vigil — wards</h1>
      {!result.ok ? (
        <p className="home-error" role="alert" data-testid="ward-list-error">
          Cannot list wards: {result.reason} ({cloudUrl}). Check that the cloud service is running, then reload.
        </p>
      ) : result.wards.length === 0 ? (
        <p>No wards yet: the cloud has not received data from any edge gateway.</p>
      ) : (
        <ul className="ward-list" data-testid="ward-list">
          {[...result.wards]
            .sort((a, b) => byWardId(a.wardId, b.wardId))
            .map((ward) => (
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
    </main>
  );
}
