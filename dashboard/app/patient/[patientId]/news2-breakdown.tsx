/** The NEWS2 breakdown: each parameter's scored value and sub-score, the total and its clinical response. */
import type { News2Score } from '@vigil/contracts';
import { formatWindow } from './format.ts';
import { news2Rows, RESPONSE_TEXT } from './news2-rows.ts';

export function News2Breakdown({ score }: { score: News2Score | null }) {
  if (!score) {
    return (
      <section className="pv-section pv-news2" data-testid="news2-breakdown" data-state="none">
        <h2>NEWS2</h2>
        <p className="pv-muted">No score yet: the first one follows the first complete minute of data.</p>
      </section>
    );
  }
  const { result } = score;
  return (
    <section className="pv-section pv-news2" data-testid="news2-breakdown" data-state="scored" data-total={result.total}>
      <h2>
        NEWS2 <span className={`pv-news2-total news2-${result.response}`}>{result.total}</span>
        {!result.complete && <span className="pv-partial">partial</span>}
      </h2>
      <p className="pv-muted">
        Window {formatWindow(score.start, score.end)}
        {score.revision > 0 ? ` (revised ${score.revision}×)` : ''}
      </p>
      <table className="pv-news2-table">
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Value</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {news2Rows(result).map((row) => (
            <tr
              key={row.parameter}
              data-testid={`news2-row-${row.parameter}`}
              data-points={row.points ?? ''}
              className={row.points === null ? 'is-missing' : `points-${row.points}`}
            >
              <th scope="row">{row.label}</th>
              <td>{row.value ?? 'not observed'}</td>
              <td className="pv-points">{row.points ?? '\u2014'}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td className={`news2-${result.response}`} data-testid="news2-response">
              {RESPONSE_TEXT[result.response]}
            </td>
            <td className="pv-points" data-testid="news2-total">
              {result.total}
            </td>
          </tr>
        </tfoot>
      </table>
      {!result.complete && <p className="pv-muted">Not observed: {result.missing.join(', ')}. A partial score is never padded with normal values.</p>}
    </section>
  );
}
