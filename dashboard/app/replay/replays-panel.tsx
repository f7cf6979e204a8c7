'use client';
/**
 * Replays in progress (GET /api/replays): each plays one recording into its own replay ward, which the ward screen
 * shows like a live ward. Pause, resume, seek (an offset from the session's start), speed and stop call
 * /api/replays/:id/…; the cloud checks the role again.
 */
import Link from 'next/link';
import { useState } from 'react';
import { ReplayStatus, type ReplaySpeed } from '@vigil/contracts';
import { apiPost } from '../auth/cloud-api.ts';
import type { CloudCall } from './recordings-panel.tsx';

const SPEEDS: ReplaySpeed[] = [1, 10, 60, 600, 'max'];
const clock = (ms: number) => {
  const m = Math.max(0, Math.floor(ms / 60_000));
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
};

function ReplayRow({ call, replay, control, onChanged }: { call: CloudCall; replay: ReplayStatus; control: boolean; onChanged(): void }) {
  const span = Math.max(1, replay.end - replay.start);
  const done = replay.position - replay.start;
  const [seekMin, setSeekMin] = useState('');
  const live = replay.state === 'running' || replay.state === 'paused';
  const path = (action: string) => `/api/replays/${encodeURIComponent(replay.replayId)}/${action}`;
  const act = async (action: string, body: unknown = {}) => {
    const status = await call.run(`${action} ${replay.replayId}`, () => apiPost(call.cloudUrl, call.token, path(action), body, ReplayStatus));
    if (status) onChanged();
  };
  return (
    <li className="replay-item" data-testid={`replay-${replay.replayId}`} data-state={replay.state}>
      <div className="replay-item-head">
        <Link href={`/ward/${encodeURIComponent(replay.wardId)}`} data-testid="replay-ward-link">
          Open replay ward {replay.wardId}
        </Link>
        <span className="replay-state" data-testid="replay-state">
          {replay.state}
        </span>
        <span className="replay-muted">
          {clock(done)} of {clock(span)} · {replay.speed === 'max' ? 'as fast as possible' : `×${replay.speed}`}
        </span>
      </div>
      <progress max={1} value={Math.min(1, done / span)} aria-label="replay position" />
      {replay.error && <p className="replay-error">{replay.error}</p>}
      {control && live && (
        <div className="replay-actions">
          {replay.state === 'running' ? (
            <button type="button" data-testid="replay-pause" onClick={() => void act('pause')}>
              Pause
            </button>
          ) : (
            <button type="button" data-testid="replay-resume" onClick={() => void act('resume')}>
              Resume
            </button>
          )}
          <form
            className="replay-inline"
            onSubmit={(e) => {
              e.preventDefault();
              const minutes = Number(seekMin);
              if (Number.isFinite(minutes) && minutes >= 0) void act('seek', { offsetMs: Math.round(minutes * 60_000) });
            }}
          >
            <input type="number" min={0} step="any" placeholder="minute" value={seekMin} onChange={(e) => setSeekMin(e.target.value)} aria-label="seek to minute" data-testid="replay-seek-minute" />
            <button type="submit" data-testid="replay-seek">
              Seek
            </button>
          </form>
          <select aria-label="speed" value={String(replay.speed)} data-testid="replay-speed" onChange={(e) => void act('speed', { speed: e.target.value === 'max' ? 'max' : Number(e.target.value) })}>
            {SPEEDS.map((s) => (
              <option key={String(s)} value={String(s)}>
                {s === 'max' ? 'max' : `×${s}`}
              </option>
            ))}
          </select>
          <button type="button" className="danger" data-testid="replay-stop" onClick={() => void act('stop')}>
            Stop
          </button>
        </div>
      )}
    </li>
  );
}

export function ReplaysPanel({ call, replays, control, onChanged }: { call: CloudCall; replays: ReplayStatus[]; control: boolean; onChanged(): void }) {
  return (
    <section className="replay-panel" aria-labelledby="replays-title">
      <h2 id="replays-title">Replays</h2>
      {replays.length === 0 ? (
        <p className="replay-muted" data-testid="replays-empty">
          No replay. Play a recording to watch it as a live ward.
        </p>
      ) : (
        <ul className="replay-list" data-testid="replays">
          {replays.map((r) => (
            <ReplayRow key={r.replayId} call={call} replay={r} control={control} onChanged={onChanged} />
          ))}
        </ul>
      )}
    </section>
  );
}
