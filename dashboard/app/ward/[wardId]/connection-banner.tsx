/** Whether what is on screen is live: a central station must say so loudly when it is not. */
import type { ConnectionState } from './use-ward-stream.ts';

const TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Cloud unreachable — data shown may be out of date',
};

export function ConnectionBanner({ state, detail }: { state: ConnectionState; detail: string | null }) {
  return (
    <div
      className={`connection-banner connection-${state}`}
      data-testid="connection-status"
      data-state={state}
      role={state === 'offline' ? 'alert' : 'status'}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-text">{TEXT[state]}</span>
      {detail && state !== 'offline' && <span className="connection-detail">— {detail}</span>}
    </div>
  );
}
