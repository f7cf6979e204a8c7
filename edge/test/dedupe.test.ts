import { describe, it, expect } from 'vitest';
import { REORDER_WINDOW, SampleDeduper } from '../src/dedupe.ts';

describe('SampleDeduper', () => {
  it('a key is new until it is committed, then a duplicate', () => {
    const d = new SampleDeduper();
    expect(d.check('dev-1', 'b1', 5)).toBe('new');
    // Not committed (e.g. the outbox write failed): it must stay retryable.
    expect(d.check('dev-1', 'b1', 5)).toBe('new');
    d.commit('dev-1', 'b1', 5);
    expect(d.check('dev-1', 'b1', 5)).toBe('duplicate');
    expect(d.check('dev-1', 'b1', 6)).toBe('new');
  });

  it('keys differ by device and by boot', () => {
    const d = new SampleDeduper();
    d.check('dev-1', 'b1', 5);
    d.commit('dev-1', 'b1', 5);
    expect(d.check('dev-1', 'b2', 5)).toBe('new');
    expect(d.check('dev-2', 'b1', 5)).toBe('new');
  });

  it('a commit without a prior check is ignored', () => {
    const d = new SampleDeduper();
    d.commit('dev-1', 'b1', 5);
    expect(d.check('dev-1', 'b1', 5)).toBe('new');
  });

  it('accepts out-of-order seqs inside the reorder window and calls older ones a regression', () => {
    const d = new SampleDeduper();
    const max = 10_000;
    d.check('dev-1', 'b1', max);
    d.commit('dev-1', 'b1', max);
    expect(d.check('dev-1', 'b1', max - REORDER_WINDOW + 1)).toBe('new');
    expect(d.check('dev-1', 'b1', max - REORDER_WINDOW)).toBe('regression');
    expect(d.check('dev-1', 'b1', 0)).toBe('regression');
    expect(d.check('dev-1', 'b1', max - 1)).toBe('new');
    expect(d.check('dev-1', 'b1', max + 1)).toBe('new');
  });

  it('a committed out-of-order seq does not move the window', () => {
    const d = new SampleDeduper();
    d.check('dev-1', 'b1', 5_000);
    d.commit('dev-1', 'b1', 5_000);
    d.commit('dev-1', 'b1', 4_000);
    expect(d.check('dev-1', 'b1', 4_000)).toBe('duplicate');
    expect(d.check('dev-1', 'b1', 5_000 - REORDER_WINDOW + 1)).toBe('new');
    expect(d.check('dev-1', 'b1', 5_000 - REORDER_WINDOW)).toBe('regression');
  });

  it('the window is REORDER_WINDOW = 4096', () => {
    expect(REORDER_WINDOW).toBe(4096);
  });

  it('still reports duplicates inside the window after pruning a long stream', () => {
    const d = new SampleDeduper();
    const n = 3 * REORDER_WINDOW;
    for (let seq = 0; seq < n; seq++) {
      expect(d.check('dev-1', 'b1', seq)).toBe('new');
      d.commit('dev-1', 'b1', seq);
    }
    const max = n - 1;
    expect(d.check('dev-1', 'b1', max)).toBe('duplicate');
    expect(d.check('dev-1', 'b1', max - REORDER_WINDOW + 1)).toBe('duplicate');
    // Pruned long ago: a resend that old is refused as a regression.
    expect(d.check('dev-1', 'b1', 0)).toBe('regression');
  });

  it('forgetDevice drops the device\u2019s other boots only', () => {
    const d = new SampleDeduper();
    for (const [dev, boot] of [['dev-1', 'b1'], ['dev-1', 'b2'], ['dev-10', 'b1']] as const) {
      d.check(dev, boot, 1);
      d.commit(dev, boot, 1);
    }
    d.forgetDevice('dev-1', 'b2');
    expect(d.check('dev-1', 'b1', 1)).toBe('new');
    expect(d.check('dev-1', 'b2', 1)).toBe('duplicate');
    // 'dev-10' starts with 'dev-1' but is another device.
    expect(d.check('dev-10', 'b1', 1)).toBe('duplicate');
  });
});
