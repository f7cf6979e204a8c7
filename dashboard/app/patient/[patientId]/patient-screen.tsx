'use client';
/**
 * `/patient/<patientId>`: one patient in detail, for signed-in users of the patient's ward. The patient (ward, bed,
 * NEWS2, limits, open alarms) comes from REST; then a live stream of its ward room keeps charts, readouts, NEWS2 and
 * alarms current, and REST fills in history (zoom) and whatever the socket missed after a reconnect.
 */
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { PatientLimitsResponse, type LimitRule, type News2Score, type PatientDetailResponse, type VitalCode } from '@vigil/contracts';
import { useRequireAuth } from '../../auth/auth-context.tsx';
import { apiGet, CloudApiError } from '../../auth/cloud-api.ts';
import { AlarmHistory } from './alarm-history.tsx';
import { mergeAlarms, sortedAlarms, topAlarm, type AlarmIndex } from './alarm-history.ts';
import { ChartPanel } from './chart-panel.tsx';
import { chartsFor, limitsFor } from './chart-defs.ts';
import { News2Breakdown } from './news2-breakdown.tsx';
import { fetchPatient, fetchPatientAlarms } from './patient-api.ts';
import { PatientHeader } from './patient-header.tsx';
import { PatientLive, staleCodes } from './patient-live.ts';
import { useLiveVersion, useWardClock } from './use-live-version.ts';
import { usePatientStream } from './use-patient-stream.ts';
import { useVitalsHistory } from './use-vitals-history.ts';
import { DEFAULT_ZOOM, ZOOMS, zoomOf, type ZoomKey } from './zoom.ts';

export function PatientScreen({ cloudUrl, patientId }: { cloudUrl: string; patientId: string }) {
  const auth = useRequireAuth();
  if (auth.status !== 'signed-in' || auth.token === null) {
    return (
      <div className="pv-screen">
        <p className="pv-waiting" data-testid="auth-checking">
          Checking sign-in…
        </p>
      </div>
    );
  }
  return <PatientLoader key={auth.token} cloudUrl={cloudUrl} patientId={patientId} token={auth.token} onSessionEnded={auth.sessionEnded} />;
}

interface LoaderProps {
  cloudUrl: string;
  patientId: string;
  token: string;
  onSessionEnded: (reason: string) => void;
}

const RETRY_MS = 5_000; // 5 s before asking for the patient again after a failure

function PatientLoader({ cloudUrl, patientId, token, onSessionEnded }: LoaderProps) {
  const [detail, setDetail] = useState<PatientDetailResponse | null>(null);
  const [failure, setFailure] = useState<CloudApiError | null>(null);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      fetchPatient(cloudUrl, token, patientId).then(
        (d) => !cancelled && setDetail(d),
        (err: unknown) => {
          if (cancelled) return;
          const error = err instanceof CloudApiError ? err : new CloudApiError(0, null, String(err));
          if (error.unauthenticated) return onSessionEnded(error.message);
          setFailure(error);
          // Not found or forbidden stays so; anything else (cloud down) is tried again.
          if (error.code !== 'PM_ERR_FORBIDDEN' && error.code !== 'PM_ERR_NOT_FOUND') timer = setTimeout(load, RETRY_MS);
        },
      );
    void load();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [cloudUrl, token, patientId, onSessionEnded]);

  if (detail) return <PatientView cloudUrl={cloudUrl} token={token} detail={detail} onSessionEnded={onSessionEnded} />;
  return (
    <div className="pv-screen">
      <header className="pv-head">
        <Link href="/" className="pv-back">
          ← Wards
        </Link>
        <h1>Patient {patientId}</h1>
      </header>
      {failure ? (
        <p className="notice notice-error pv-waiting" role="alert" data-testid="patient-error" data-code={failure.code ?? ''}>
          {failure.code === 'PM_ERR_FORBIDDEN'
            ? 'You are not assigned to this patient\u2019s ward.'
            : failure.code === 'PM_ERR_NOT_FOUND'
              ? `No patient ${patientId} in your wards.`
              : `Cannot load the patient: ${failure.message}. Trying again…`}
        </p>
      ) : (
        <p className="pv-waiting">Loading the patient…</p>
      )}
    </div>
  );
}

/** The newer of two NEWS2 scores: a later window, or a revision of the same one. */
function newerScore(held: News2Score | null, next: News2Score): News2Score {
  if (!held || next.end > held.end || (next.end === held.end && next.revision >= held.revision)) return next;
  return held;
}

interface ViewProps {
  cloudUrl: string;
  token: string;
  detail: PatientDetailResponse;
  onSessionEnded: (reason: string) => void;
}

function PatientView({ cloudUrl, token, detail, onSessionEnded }: ViewProps) {
  const { patientId, wardId, bedId } = detail;
  const [live] = useState(() => new PatientLive(patientId));
  const [alarms, setAlarms] = useState<AlarmIndex>(() => mergeAlarms(new Map(), detail.alarms, patientId));
  const [alarmsState, setAlarmsState] = useState<{ loading: boolean; error: string | null }>({ loading: true, error: null });
  const [news2, setNews2] = useState<News2Score | null>(detail.news2);
  const [rules, setRules] = useState<readonly LimitRule[]>(detail.limits);
  const [zoomKey, setZoomKey] = useState<ZoomKey>(DEFAULT_ZOOM);
  const zoom = zoomOf(zoomKey);

  const stream = usePatientStream(cloudUrl, wardId, patientId, token, live, {
    onAlarms: (incoming) => setAlarms((held) => mergeAlarms(held, incoming, patientId)),
    onNews2: ({ patientId: p, start, end, revision, result }) => setNews2((held) => newerScore(held, { patientId: p, start, end, revision, result })),
    onSessionEnded,
  });

  // After every join: the alarm list and the limits; after a reconnect also the newest NEWS2 (the socket missed it).
  useEffect(() => {
    if (stream.joins === 0) return;
    let cancelled = false;
    const failed = (err: unknown): string => {
      if (err instanceof CloudApiError && err.unauthenticated) onSessionEnded(err.message);
      return err instanceof Error ? err.message : String(err);
    };
    fetchPatientAlarms(cloudUrl, token, patientId).then(
      (r) => {
        if (cancelled) return;
        setAlarms((held) => mergeAlarms(held, r.alarms, patientId));
        setAlarmsState({ loading: false, error: null });
      },
      (err: unknown) => !cancelled && setAlarmsState({ loading: false, error: failed(err) }),
    );
    apiGet(cloudUrl, token, `/api/patients/${encodeURIComponent(patientId)}/limits`, PatientLimitsResponse).then(
      (r) => !cancelled && setRules(r.rules),
      (err: unknown) => void failed(err),
    );
    if (stream.joins > 1) {
      fetchPatient(cloudUrl, token, patientId).then(
        (d) => !cancelled && d.news2 && setNews2((held) => newerScore(held, d.news2!)),
        (err: unknown) => void failed(err),
      );
    }
    return () => {
      cancelled = true;
    };
  }, [stream.joins, cloudUrl, token, patientId, onSessionEnded]);

  const history = useVitalsHistory(cloudUrl, token, patientId, zoom, stream.joins, stream.serverOffsetMs, onSessionEnded);
  useLiveVersion(live);
  const reference = useWardClock(live);
  const latest = live.latest;
  const stale = staleCodes(latest, reference);

  // Charts for every vital the patient has: live, in the loaded history, or in the snapshot.
  const presentKey = [...new Set<VitalCode>([...(Object.keys(latest) as VitalCode[]), ...live.ring.codes, ...(Object.keys(history.history?.vitals ?? {}) as VitalCode[])])]
    .sort()
    .join(',');
  const charts = useMemo(() => chartsFor(new Set(presentKey.split(',').filter(Boolean) as VitalCode[])), [presentKey]);
  const chartLimits = useMemo(() => new Map(charts.map((c) => [c.key, limitsFor(c, rules)])), [charts, rules]);
  const alarmList = useMemo(() => sortedAlarms(alarms), [alarms]);
  const top = useMemo(() => topAlarm(alarms), [alarms]);

  if (stream.forbidden) {
    return (
      <div className="pv-screen">
        <p className="notice notice-error pv-waiting" role="alert" data-testid="patient-error" data-code="PM_ERR_FORBIDDEN">
          You are not assigned to this patient&apos;s ward.
        </p>
      </div>
    );
  }

  const resolutionText = history.history
    ? history.history.resolution === 'raw'
      ? 'raw samples'
      : `${history.history.resolution} means with min–max`
    : history.loading
      ? 'loading history…'
      : 'live only';

  return (
    <div className={`pv-screen${stream.connection === 'offline' ? ' is-offline' : ''}`} data-testid="patient-view" data-patient={patientId}>
      <PatientHeader
        wardId={wardId}
        bedId={bedId}
        patientId={patientId}
        news2={news2}
        topAlarm={top}
        devices={stream.devices}
        connection={stream.connection}
        connectionDetail={stream.error}
      />
      <main className="pv-body">
        <section className="pv-charts" aria-label="Trends">
          <div className="pv-toolbar">
            <div className="pv-zoom" role="group" aria-label="History span">
              {ZOOMS.map((z) => (
                <button
                  key={z.key}
                  type="button"
                  data-testid={`zoom-${z.key}`}
                  aria-pressed={z.key === zoomKey}
                  className={z.key === zoomKey ? 'is-active' : undefined}
                  onClick={() => setZoomKey(z.key)}
                >
                  {z.label}
                </button>
              ))}
            </div>
            <span
              className="pv-muted"
              data-testid="history-status"
              data-zoom={history.loadedZoom ?? ''}
              data-resolution={history.history?.resolution ?? ''}
              data-loading={history.loading ? 'true' : 'false'}
            >
              {resolutionText}
            </span>
            {history.error && (
              <span className="pv-error" role="alert" data-testid="history-error">
                History unavailable: {history.error}
              </span>
            )}
          </div>
          {charts.length === 0 && <p className="pv-waiting">Waiting for the first values…</p>}
          {charts.map((chart) => (
            <ChartPanel
              key={chart.key}
              chart={chart}
              limits={chartLimits.get(chart.key) ?? []}
              live={live}
              latest={latest}
              stale={stale}
              reference={reference}
              history={history.history}
              spanMs={zoom.spanMs}
            />
          ))}
        </section>
        <aside className="pv-side">
          <News2Breakdown score={news2} />
          <AlarmHistory alarms={alarmList} loading={alarmsState.loading} error={alarmsState.error} />
        </aside>
      </main>
    </div>
  );
}
