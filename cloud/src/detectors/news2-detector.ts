/**
 * The NEWS2 detector now lives in contracts (contracts/src/news2-detector.ts) so that models/ can replay it for its
 * rule baselines without depending on the cloud; this re-export keeps the cloud's imports unchanged.
 */
export {
  CARRY_FORWARD_MS,
  describeNews2,
  emptyNews2State,
  news2InputOf,
  news2Transition,
  scoreNews2,
  type News2Measured,
  type News2State,
  type News2Transition,
} from '@vigil/contracts';
