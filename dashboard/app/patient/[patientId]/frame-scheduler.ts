/**
 * Coalesces work to at most one run per animation frame: live samples arrive once a second per device (and a ward
 * room carries every bed's), but a chart should redraw (uPlot setData) at most once per screen frame however many
 * arrived since the last one. Frame functions are injected so the rule is testable without a browser.
 */
export interface FrameFunctions {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

export interface FrameScheduler {
  /** Ask for a run in the next frame; further calls before it are folded into the same run. */
  schedule(): void;
  /** Drop a pending run (unmount). */
  cancel(): void;
  /** Whether a run is pending. */
  readonly pending: boolean;
}

const browserFrames: FrameFunctions = {
  request: (callback) => requestAnimationFrame(() => callback()),
  cancel: (handle) => cancelAnimationFrame(handle),
};

export function createFrameScheduler(run: () => void, frames: FrameFunctions = browserFrames): FrameScheduler {
  let handle: number | null = null;
  return {
    schedule() {
      if (handle !== null) return;
      handle = frames.request(() => {
        handle = null;
        run();
      });
    },
    cancel() {
      if (handle !== null) frames.cancel(handle);
      handle = null;
    },
    get pending() {
      return handle !== null;
    },
  };
}
