/**
 * The alarm manager's time limits: how long audio may be paused, when an unacknowledged alarm escalates, how long an
 * ended alarm stays in memory. All of them are configuration choices of the deploying organisation (IEC 60601-1-8
 * requires the limits to exist and be disclosed, not these values); the defaults say where they come from.
 */
import { z } from 'zod';
import { PmError } from '@vigil/contracts';

const ms = z.number().int().positive();

export const AlarmPolicy = z
  .object({
    /** Audio pause when the user gives no duration. */
    audioPauseDefaultMs: ms,
    /** Longest audio pause a user may set; longer requests are cut to this. */
    audioPauseMaxMs: ms,
    /** Unacknowledged active or latched alarms escalate to the second role after this, by priority; null: never. */
    escalateAfterMs: z.object({ high: ms.nullable(), medium: ms.nullable(), low: ms.nullable() }).strict(),
    /** Ended alarms stay in memory (for `get` and snapshots) this long after they ended. */
    recentlyEndedMs: z.number().int().min(0),
  })
  .strict();
export type AlarmPolicy = z.infer<typeof AlarmPolicy>;

export const DEFAULT_ALARM_POLICY: Readonly<AlarmPolicy> = Object.freeze({
  // IEC 60601-1-8: "audio paused" is time-limited (the visual signal stays); 2 min is the common default, a choice.
  audioPauseDefaultMs: 120_000, // ms: 2 min
  audioPauseMaxMs: 120_000, // ms: 2 min; a longer pause is cut to this
  // IHE PCD ACM: a notification that is not acknowledged escalates (here to the charge nurse). Choice of delays:
  escalateAfterMs: Object.freeze({
    high: 60_000, // ms: 1 min
    medium: 180_000, // ms: 3 min
    low: null, // never: low priority is for awareness (IEC 60601-1-8), an escalation would be noise
  }),
  recentlyEndedMs: 900_000, // ms: 15 min of ended alarms for snapshots and late acknowledgements
});

/** The defaults with `overrides` on top (escalateAfterMs merged per priority), validated. */
export function resolveAlarmPolicy(overrides: Partial<AlarmPolicy> = {}): AlarmPolicy {
  const merged = {
    ...DEFAULT_ALARM_POLICY,
    ...overrides,
    escalateAfterMs: { ...DEFAULT_ALARM_POLICY.escalateAfterMs, ...overrides.escalateAfterMs },
  };
  const parsed = AlarmPolicy.safeParse(merged);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new PmError('PM_ERR_CONFIG_INVALID', 'alarm policy is invalid', details);
  }
  return parsed.data;
}
