/** Whether what is on screen is live: a central station must say so loudly when it is not, and since when. */
import type { EdgeViewState } from './use-edge-view.ts';
import type { ConnectionState } from './use-ward-stream.ts';
import { formatClock } from './alarm-labels.ts';

const TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Cloud unreachable — data shown may be out of date',
};

const EDGE_TEXT: Record<EdgeViewState | 'none', string | null> = {
  none: 'no edge fallback configured',
  off: null,
  connecting: 'connecting to the edge gateway…',
  live: 'showing the edge gateway\u2019s local alarms (critical limits and technical alarms), live',
  unreachable: 'the edge gateway is unreachable too',
};

interface ConnectionBannerProps {
  state: ConnectionState;
  detail: string | null;
  /** Browser time the connection was lost. */
  offlineSince?: number | null;
  /** The edge fallback's state ('none': no edge view for this ward). */
  edge?: EdgeViewState | 'none';
}

export function ConnectionBanner({ state, detail, offlineSince = null, edge = 'none' }: ConnectionBannerProps) {
  const edgeText = state === 'offline' ? EDGE_TEXT[edge] : null;
  return (
    <div
      className={`connection-banner connection-${state}${state === 'offline' && edge === 'live' ? ' connection-edge' : ''}`}
      data-testid="connection-status"
      data-state={state}
      data-edge={edge}
      role={state === 'offline' ? 'alert' : 'status'}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-text">
        {TEXT[state]}
        {state === 'offline' && offlineSince !== null && ` (since ${formatClock(offlineSince)})`}
      </span>
      {edgeText && (
        <span className="connection-edge-text" data-testid="connection-edge">
          — {edgeText}
        </span>
      )}
      {detail && state !== 'offline' && <span className="connection-detail">— {detail}</span>}
    </div>
  );
}
