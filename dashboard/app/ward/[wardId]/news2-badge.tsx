/** NEWS2 on a bed tile: the aggregate and its clinical-response band in words, marked partial or stale when it is. */
import type { BedState } from '@vigil/contracts';
import { NEWS2_BAND_TEXT } from './tile-status.ts';

/** `stale`: the score's window ended long before the ward's newest data (NEWS2_STALE_AFTER_MS). */
export function News2Badge({ bedId, news2, stale }: { bedId: string; news2: BedState['news2']; stale: boolean }) {
  if (!news2) {
    return (
      <span className="news2 news2-none" data-testid={`news2-${bedId}`} data-band="none" title="No NEWS2 score yet">
        NEWS2 --
      </span>
    );
  }
  const notes = [
    news2.anySingleThree && news2.response === 'low-medium' ? 'a single parameter scored 3' : null,
    news2.complete ? null : 'partial: some parameters were not observed (e.g. consciousness, oxygen)',
    stale ? 'stale: no score for the last 5 minutes' : null,
  ].filter(Boolean);
  return (
    <span
      className={`news2 news2-${news2.response}${stale ? ' is-stale' : ''}`}
      data-testid={`news2-${bedId}`}
      data-band={news2.response}
      data-total={news2.total}
      title={[`NEWS2 ${news2.total}, ${news2.response} band`, ...notes].join('; ')}
    >
      <span className="news2-label">NEWS2</span>
      <span className="news2-total">
        {news2.total}
        {news2.complete ? '' : '*'}
      </span>
      <span className="news2-band">{NEWS2_BAND_TEXT[news2.response]}</span>
      {stale && <span className="news2-stale">stale</span>}
    </span>
  );
}
