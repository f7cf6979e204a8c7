/**
 * Logs a rejection once per (device, reason) per interval, so a misbehaving device cannot flood the log, while the
 * metric still counts every rejection.
 */
import type { Logger } from 'pino';
import type { PmError } from '@vigil/contracts';

export class RejectionLog {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    readonly logger: Logger,
    readonly intervalMs = 60_000,
    readonly now: () => number = Date.now,
  ) {}

  report(deviceId: string, error: PmError): void {
    const key = `${deviceId}\u0000${error.code}`;
    const t = this.now();
    const last = this.#last.get(key);
    if (last && t - last.at < this.intervalMs) {
      last.suppressed++;
      return;
    }
    this.#last.set(key, { at: t, suppressed: 0 });
    this.logger.warn(
      { deviceId, code: error.code, detail: error.message, suppressedSinceLast: last?.suppressed ?? 0 },
      'device message rejected',
    );
  }
}
