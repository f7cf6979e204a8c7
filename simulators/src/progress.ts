/**
 * A progress bar on stderr for long generations: redrawn in place on a terminal (at most 10×/s), plain lines
 * every 10 % otherwise (CI logs), silent when disabled.
 */
export interface Progress {
  update(done: number): void;
  finish(summary: string): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr, enabled = true): Progress {
  const tty = stream.isTTY === true;
  const started = Date.now();
  let lastDraw = 0;
  let lastDecile = -1;
  const width = 30;
  return {
    update(done) {
      if (!enabled || total <= 0) return;
      const fraction = Math.min(1, done / total);
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 100 && fraction < 1) return;
        lastDraw = now;
        const filled = Math.round(fraction * width);
        const elapsed = (now - started) / 1000;
        const eta = fraction > 0 ? elapsed * (1 / fraction - 1) : 0;
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% ETA ${eta.toFixed(0)} s  `);
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(`${label}: ${decile * 10}%\n`);
        }
      }
    },
    finish(summary) {
      if (!enabled) return;
      stream.write(`${tty ? '\r' : ''}${label}: ${summary}${tty ? ' '.repeat(20) : ''}\n`);
    },
  };
}
