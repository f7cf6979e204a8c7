'use client';
/** React's view of the PatientLive store: re-render at most once per animation frame, and a 1 Hz staleness clock. */
import { useEffect, useState } from 'react';
import { createFrameScheduler } from './frame-scheduler.ts';
import type { PatientLive } from './patient-live.ts';

/** The store's version, published at most once per frame however many samples arrived. */
export function useLiveVersion(live: PatientLive): number {
  const [version, setVersion] = useState(live.version);
  useEffect(() => {
    const scheduler = createFrameScheduler(() => setVersion(live.version));
    const unsubscribe = live.subscribe(() => scheduler.schedule());
    return () => {
      unsubscribe();
      scheduler.cancel();
    };
  }, [live]);
  return version;
}

const CLOCK_MS = 1_000; // staleness is judged to the second

/** The ward's newest event time (the staleness reference), read once a second: other beds move it, not this one. */
export function useWardClock(live: PatientLive): number {
  const [t, setT] = useState(live.wardNewestT);
  useEffect(() => {
    const timer = setInterval(() => setT(live.wardNewestT), CLOCK_MS);
    return () => clearInterval(timer);
  }, [live]);
  return Math.max(t, live.wardNewestT);
}
