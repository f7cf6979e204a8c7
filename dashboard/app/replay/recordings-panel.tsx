'use client';
/**
 * Stored recordings (GET /api/recordings): pick some for the lab, play one into a replay ward, and — for admins and
 * researchers — upload or delete. Every action goes through the cloud, which checks the role again.
 */
import { useRef, useState } from 'react';
import { PlayResponse, RecordingInfo, type ReplaySpeed } from '@vigil/contracts';
import { apiPost } from '../auth/cloud-api.ts';
import { apiDelete, apiUpload } from './replay-api.ts';

export interface CloudCall {
  cloudUrl: string;
  token: string;
  /** Runs an action; errors are shown by the screen (and a lost session signs out). Resolves undefined on failure. */
  run<T>(what: string, action: () => Promise<T>): Promise<T | undefined>;
}

const DeleteResponse = { safeParse: (v: unknown) => (typeof v === 'object' && v !== null && 'deleted' in v ? { success: true as const, data: v } : { success: false as const }) };
const SPEEDS: ReplaySpeed[] = [1, 10, 60, 600, 'max'];
const hours = (r: RecordingInfo) => ((r.end - r.start) / 3_600_000).toFixed(1);
const size = (bytes: number) => (bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`);

export function RecordingsPanel(props: {
  call: CloudCall;
  recordings: RecordingInfo[] | null;
  selected: ReadonlySet<string>;
  onToggle(id: string): void;
  onChanged(): void;
  onPlayed(play: PlayResponse, recording: RecordingInfo): void;
  manage: boolean;
  control: boolean;
}) {
  const { call, recordings, selected, manage, control } = props;
  const [speed, setSpeed] = useState<ReplaySpeed>(60);
  const [busy, setBusy] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');

  async function upload() {
    const chosen = file.current?.files?.[0];
    if (!chosen) return;
    setBusy(true);
    const label = name.trim() || chosen.name;
    const stored = await call.run(`upload ${label}`, () => apiUpload(call.cloudUrl, call.token, `/api/recordings?name=${encodeURIComponent(label)}`, chosen, RecordingInfo));
    setBusy(false);
    if (stored) {
      if (file.current) file.current.value = '';
      setName('');
      props.onChanged();
    }
  }

  async function remove(r: RecordingInfo) {
    if (!window.confirm(`Delete recording “${r.name}”? This cannot be undone.`)) return;
    const done = await call.run(`delete ${r.name}`, () => apiDelete(call.cloudUrl, call.token, `/api/recordings/${encodeURIComponent(r.id)}`, DeleteResponse));
    if (done) props.onChanged();
  }

  async function play(r: RecordingInfo) {
    const started = await call.run(`play ${r.name}`, () => apiPost(call.cloudUrl, call.token, `/api/recordings/${encodeURIComponent(r.id)}/play`, { speed }, PlayResponse));
    if (started) props.onPlayed(started, r);
  }

  return (
    <section className="replay-panel" aria-labelledby="recordings-title">
      <h2 id="recordings-title">Recordings</h2>
      {recordings === null ? (
        <p className="replay-muted">Loading recordings…</p>
      ) : recordings.length === 0 ? (
        <p className="replay-muted" data-testid="recordings-empty">
          No recordings stored yet.{manage ? ' Upload a session file below.' : ' Ask a researcher or an administrator to upload one.'}
        </p>
      ) : (
        <table className="replay-table" data-testid="recordings">
          <thead>
            <tr>
              <th scope="col">Lab</th>
              <th scope="col">Name</th>
              <th scope="col">Source</th>
              <th scope="col" className="num">Patients</th>
              <th scope="col" className="num">Hours</th>
              <th scope="col" className="num">Size</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {recordings.map((r) => (
              <tr key={r.id} data-testid={`recording-${r.id}`} data-name={r.name}>
                <td>
                  <input type="checkbox" aria-label={`use ${r.name} in the lab`} data-testid="recording-select" checked={selected.has(r.id)} onChange={() => props.onToggle(r.id)} />
                </td>
                <td>{r.name}</td>
                <td>{r.source}</td>
                <td className="num">{r.patients}</td>
                <td className="num">{hours(r)}</td>
                <td className="num">{size(r.bytes)}</td>
                <td className="replay-actions">
                  {control && (
                    <button type="button" data-testid="recording-play" onClick={() => void play(r)}>
                      Play
                    </button>
                  )}
                  {manage && (
                    <button type="button" className="danger" data-testid="recording-delete" onClick={() => void remove(r)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {control && (
        <label className="replay-inline">
          Play speed{' '}
          <select value={String(speed)} data-testid="play-speed" onChange={(e) => setSpeed(e.target.value === 'max' ? 'max' : Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={String(s)} value={String(s)}>
                {s === 'max' ? 'as fast as possible' : `×${s}`}
              </option>
            ))}
          </select>
        </label>
      )}
      {manage && (
        <form
          className="replay-upload"
          onSubmit={(e) => {
            e.preventDefault();
            void upload();
          }}
        >
          <input ref={file} type="file" accept=".jsonl,.gz,.vsession" data-testid="upload-file" aria-label="session file" />
          <input type="text" placeholder="name (optional)" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="upload-name" aria-label="recording name" />
          <button type="submit" disabled={busy} data-testid="upload-submit">
            {busy ? 'Uploading…' : 'Upload'}
          </button>
        </form>
      )}
    </section>
  );
}
