/** Keyed event-time windows for the cloud stream processor; semantics in keyed-window-operator.ts. */
export { assignWindows, validateWindowSpec, type WindowBounds, type WindowSpec } from './window-assigners.ts';
export {
  KeyedWindowOperator,
  type AddResult,
  type Disposition,
  type KeyedWindowOptions,
  type KeySnapshot,
  type SessionSnapshot,
  type TimedElement,
  type WindowEmission,
} from './keyed-window-operator.ts';
