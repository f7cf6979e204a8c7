'use client';
/**
 * The alarm-burden lab: pick recordings (in the list above) and two or more stored configurations
 * (GET /api/lab/configs), start a run (POST /api/lab/runs), follow its progress (GET /api/lab/runs/:id) and show the
 * result (GET /api/lab/runs/:id/result). The run happens in the cloud; this page only polls.
 */
import { useEffect, useState } from 'react';
import { LabConfigListResponse, LabResult, LabRunStatus, type LabConfig } from '@vigil/contracts';
import { apiGet, apiPost } from '../auth/cloud-api.ts';
import { LabResults } from './lab-results.tsx';
import type { CloudCall } from './recordings-panel.tsx';

const POLL_MS = 1000; // 1 s: progress of a run that takes seconds to minutes

type Run = { status: LabRunStatus; result: LabResult | null };

export function LabPanel({ call, recordingIds, control }: { call: CloudCall; recordingIds: readonly string[]; control: boolean }) {
  const [configs, setConfigs] = useState<LabConfig[] | null>(null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [run, setRun] = useState<Run | null>(null);
  const { cloudUrl, token } = call;

  useEffect(() => {
    if (!control) return;
    let cancelled = false;
    void call.run('list lab configurations', () => apiGet(cloudUrl, token, '/api/lab/configs', LabConfigListResponse)).then((list) => {
      if (cancelled || !list) return;
      setConfigs(list.configs);
      // The three the issue compares, when present.
      setChosen(new Set(list.configs.map((c) => c.name).filter((n) => ['default-limits', 'news2-driven', 'lstm-assisted'].includes(n))));
    });
    return () => {
      cancelled = true;
    };
    // call.run is stable for a given token (replay-screen.tsx)
  }, [cloudUrl, token, control, call]);

  const runId = run?.status.runId;
  const pending = run !== null && (run.status.state === 'queued' || run.status.state === 'running');
  useEffect(() => {
    if (!runId || !pending) return;
    const timer = setInterval(() => {
      void apiGet(cloudUrl, token, `/api/lab/runs/${encodeURIComponent(runId)}`, LabRunStatus).then(
        async (status) => {
          const result = status.state === 'finished' ? await call.run('read the lab result', () => apiGet(cloudUrl, token, `/api/lab/runs/${encodeURIComponent(runId)}/result`, LabResult)) : undefined;
          setRun((r) => (r && r.status.runId === runId ? { status, result: result ?? null } : r));
        },
        () => undefined, // a missed poll is retried on the next tick
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [runId, pending, cloudUrl, token, call]);

  if (!control) return null;
  const toggle = (name: string) =>
    setChosen((s) => {
      const next = new Set(s);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  const order = configs?.map((c) => c.name).filter((n) => chosen.has(n)) ?? [];
  const ready = recordingIds.length > 0 && order.length >= 2 && !pending;

  async function start() {
    const status = await call.run('start the lab run', () => apiPost(cloudUrl, token, '/api/lab/runs', { recordingIds, configNames: order }, LabRunStatus));
    if (status) setRun({ status, result: null });
  }

  return (
    <section className="replay-panel" aria-labelledby="lab-title">
      <h2 id="lab-title">Alarm-burden lab</h2>
      <p className="replay-muted">
        Replays the selected recordings through each configuration in event time, with the cloud’s own alarm code, and compares the alarm burden with the events
        caught. The first configuration ticked is the reference for lead times.
      </p>
      {configs === null ? (
        <p className="replay-muted">Loading configurations…</p>
      ) : (
        <fieldset className="lab-configs" data-testid="lab-configs">
          <legend>Configurations</legend>
          {configs.map((c) => (
            <label key={c.name} title={c.description}>
              <input type="checkbox" checked={chosen.has(c.name)} onChange={() => toggle(c.name)} data-testid={`lab-config-${c.name}`} /> {c.name}
            </label>
          ))}
        </fieldset>
      )}
      <button type="button" disabled={!ready} onClick={() => void start()} data-testid="lab-run">
        Run the lab on {recordingIds.length} recording{recordingIds.length === 1 ? '' : 's'} × {order.length} configurations
      </button>
      {!ready && !pending && <span className="replay-muted"> Select at least one recording and two configurations.</span>}
      {run && (
        <div className="lab-status" data-testid="lab-status" data-state={run.status.state}>
          {run.status.state === 'failed' ? (
            <p className="replay-error" role="alert">
              The lab run failed: {run.status.error}
            </p>
          ) : run.status.state !== 'finished' ? (
            <p>
              {run.status.state === 'queued' ? 'Waiting for an earlier run…' : 'Running…'} <progress max={1} value={run.status.progress} aria-label="lab progress" />{' '}
              {Math.round(run.status.progress * 100)} %
            </p>
          ) : null}
          {run.result && <LabResults call={call} runId={run.status.runId} result={run.result} />}
        </div>
      )}
    </section>
  );
}
