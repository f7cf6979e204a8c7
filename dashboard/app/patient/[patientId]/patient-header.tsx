/**
 * The patient view's header: where the patient is (ward, bed), the live NEWS2 with its band, the alarm state (the most
 * urgent open alarm, by text and icon as well as colour), offline devices, and whether the screen is live.
 */
import Link from 'next/link';
import type { Alarm, BedDevice, News2Score } from '@vigil/contracts';
import { AccountBar } from '../../auth/account-bar.tsx';
import { isFlashing, PRIORITY_TEXT, STATE_TEXT } from './alarm-text.ts';
import { formatClock } from './format.ts';
import { RESPONSE_SHORT } from './news2-rows.ts';
import type { ConnectionState } from './use-patient-stream.ts';

const CONNECTION_TEXT: Readonly<Record<ConnectionState, string>> = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Cloud unreachable — data shown may be out of date',
};

export interface PatientHeaderProps {
  wardId: string;
  bedId: string;
  patientId: string;
  news2: News2Score | null;
  topAlarm: Alarm | null;
  devices: readonly BedDevice[];
  connection: ConnectionState;
  connectionDetail: string | null;
}

export function PatientHeader({ wardId, bedId, patientId, news2, topAlarm, devices, connection, connectionDetail }: PatientHeaderProps) {
  const offline = devices.filter((d) => d.state === 'offline');
  return (
    <header className="pv-head">
      <Link href={`/ward/${encodeURIComponent(wardId)}`} className="pv-back" data-testid="back-to-ward">
        ← Ward {wardId}
      </Link>
      <h1 data-testid="patient-title">
        Bed {bedId} <span className="pv-patient">patient {patientId}</span>
      </h1>
      <div
        className={`pv-head-news2 news2-${news2?.result.response ?? 'none'}`}
        data-testid="header-news2"
        data-response={news2?.result.response ?? ''}
        title={news2 ? `NEWS2 of the window ending ${formatClock(news2.end)}` : 'no NEWS2 yet'}
      >
        <span className="pv-head-label">NEWS2</span>
        <span className="pv-head-score">{news2 ? news2.result.total : '--'}</span>
        {news2 && <span className="pv-head-band">{RESPONSE_SHORT[news2.result.response]}</span>}
        {news2 && !news2.result.complete && <span className="pv-partial">partial</span>}
      </div>
      <div
        className={`pv-head-alarm${topAlarm ? ` prio-${topAlarm.priority}` : ' is-quiet'}${topAlarm && isFlashing(topAlarm) ? ' is-flashing' : ''}`}
        data-testid="header-alarm"
        data-priority={topAlarm?.priority ?? 'none'}
        role={topAlarm ? 'alert' : 'status'}
      >
        {topAlarm ? (
          <>
            <span className="pv-alarm-prio">{PRIORITY_TEXT[topAlarm.priority]}</span> {topAlarm.message}{' '}
            <span className="pv-alarm-state">{STATE_TEXT[topAlarm.state]}</span>
          </>
        ) : (
          'No open alarm'
        )}
      </div>
      {offline.length > 0 && (
        <div className="pv-head-tech" data-testid="header-devices-offline">
          ⚠ {offline.map((d) => `${d.deviceType.replace(/_/g, ' ')} offline`).join(', ')}
        </div>
      )}
      <div className={`connection-banner connection-${connection}`} data-testid="connection-status" data-state={connection} role={connection === 'offline' ? 'alert' : 'status'}>
        <span className="connection-dot" aria-hidden="true" />
        <span className="connection-text">{CONNECTION_TEXT[connection]}</span>
        {connectionDetail && connection !== 'offline' && <span className="connection-detail">— {connectionDetail}</span>}
      </div>
      <AccountBar />
    </header>
  );
}
