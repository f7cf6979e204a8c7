'use client';
/**
 * The chart history of the selected zoom, from the REST API at the zoom's resolution (zoom.ts), in server time.
 * Reloaded when the zoom changes, after every (re)join of the live stream (what the socket missed while away comes
 * from here), and periodically on rollup views so the live tail after the history stays short.
 */
import { useEffect, useEffectEvent, useState } from 'react';
import type { VitalsHistoryResponse } from '@vigil/contracts';
import { CloudApiError } from '../../auth/cloud-api.ts';
import { fetchHistory } from './patient-api.ts';
import type { Zoom } from './zoom.ts';

export interface VitalsHistoryState {
  /** The newest loaded history (kept while the next one loads, so a chart never blanks). */
  history: VitalsHistoryResponse | null;
  /** The zoom the history was loaded for. */
  loadedZoom: Zoom['key'] | null;
  loading: boolean;
  error: string | null;
}

export function useVitalsHistory(
  cloudUrl: string,
  token: string,
  patientId: string,
  zoom: Zoom,
  /** Loads only when > 0 (the stream has joined and the server clock offset is known); a change reloads. */
  reloadKey: number,
  serverOffsetMs: number,
  onUnauthenticated: (reason: string) => void,
): VitalsHistoryState {
  const [state, setState] = useState<VitalsHistoryState>({ history: null, loadedZoom: null, loading: false, error: null });
  const unauthenticated = useEffectEvent(onUnauthenticated);
  const offset = useEffectEvent(() => serverOffsetMs);

  useEffect(() => {
    if (reloadKey <= 0) return;
    let cancelled = false;
    const load = () => {
      setState((s) => ({ ...s, loading: true }));
      fetchHistory(cloudUrl, token, patientId, zoom, Date.now() + offset()).then(
        (history) => !cancelled && setState({ history, loadedZoom: zoom.key, loading: false, error: null }),
        (err: unknown) => {
          if (cancelled) return;
          if (err instanceof CloudApiError && err.unauthenticated) return unauthenticated(err.message);
          setState((s) => ({ ...s, loading: false, error: err instanceof Error ? err.message : String(err) }));
        },
      );
    };
    load();
    const timer = zoom.refreshMs === null ? undefined : setInterval(load, zoom.refreshMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [cloudUrl, token, patientId, zoom, reloadKey]);

  return state;
}
