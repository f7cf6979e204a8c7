/**
 * The REST access matrix, derived from each route's declaration in the route table (cloud/src/api/route-table.ts):
 * the expected answer for a caller follows from `auth`, `roles` and `scope` alone, so a route added to `allRoutes`
 * is in the matrix without anyone editing it. A route whose path parameters or request body this file cannot fill
 * in fails the suite with a message saying what to add here: no route escapes the matrix silently.
 */
import type { Role } from '@vigil/contracts';
import type { RouteSpec } from '../../cloud/src/api/route-table.ts';

/** Who is calling: no valid session at all, or a user with a role and the wards they may read. */
export type Caller = { session: false } | { session: true; role: Role; wards: readonly string[] };

export type Expected = { status: 401 | 403; code: 'PM_ERR_UNAUTHENTICATED' | 'PM_ERR_FORBIDDEN' } | { status: 'pass' };

/** The ward every ward-, patient- and alarm-scoped request of the matrix touches. */
export const TARGET_WARD = 'ward-a';

/** What the route's declaration says this caller gets (the order of the app's checks: session, role, scope). */
export function expectedAccess(spec: RouteSpec, caller: Caller): Expected {
  if (spec.auth === 'public') return { status: 'pass' };
  if (!caller.session) return { status: 401, code: 'PM_ERR_UNAUTHENTICATED' };
  if (spec.roles && !spec.roles.includes(caller.role)) return { status: 403, code: 'PM_ERR_FORBIDDEN' };
  if ((spec.scope === 'ward' || spec.scope === 'patient' || spec.scope === 'alarm') && !caller.wards.includes(TARGET_WARD)) return { status: 403, code: 'PM_ERR_FORBIDDEN' };
  return { status: 'pass' };
}

/** Values for path parameters (the alarm id is known only once the fixture raised one). */
export function fillPath(spec: RouteSpec, ids: { alarmId: string }): string {
  const values: Record<string, string> = { wardId: TARGET_WARD, patientId: 'pt-a1', alarmId: ids.alarmId };
  const params: Record<string, string> = {};
  const path = spec.path.replace(/:(\w+)/g, (_, name: string) => {
    // Other ids (recordings, replays, runs): one that does not exist; an entitled call then answers 404.
    params[name] = values[name] ?? 'matrix-id-1';
    return params[name];
  });
  if (spec.params && !spec.params.safeParse(params).success) {
    throw new Error(`security matrix: no valid path parameters for ${spec.method} ${spec.path}; add values in test/support/security-access.ts`);
  }
  return path;
}

/** A valid body per body-taking route, as the entitled user of ward-a would send it. */
const BODIES: Record<string, unknown> = {
  'post /api/auth/login': { username: 'nurse-a', password: 'correct horse battery staple' },
  'post /api/auth/logout': {},
  'post /api/auth/break-glass': { wardId: TARGET_WARD, reason: 'cardiac arrest call on ward A, covering' },
  'post /api/patients/:patientId/observations': { consciousness: 'alert', onOxygen: false },
  'put /api/patients/:patientId/limits': { rules: [] },
  'post /api/patients/:patientId/waveform-requests': { durationS: 30 },
  'post /api/alarms/:alarmId/acknowledge': {},
  'post /api/alarms/:alarmId/audio-pause': { durationS: 30 },
  'post /api/alarms/:alarmId/escalate': {},
  'post /api/users': { username: 'new-user', password: 'a long enough password', role: 'clinician', wards: [TARGET_WARD] },
};

/** Tried in order for a route not in BODIES: the first its body schema accepts is sent. */
const CANDIDATE_BODIES: unknown[] = [{}, { speed: 1 }, { offsetMs: 0 }, { recordingIds: ['matrix-id-1'], configNames: ['a-config', 'b-config'] }];

export function bodyFor(spec: RouteSpec): unknown {
  if (spec.method === 'get') return undefined;
  const key = `${spec.method} ${spec.path}`;
  if (key in BODIES) return BODIES[key];
  // A route without a declared body schema takes none: {} is valid.
  if (!spec.body) return {};
  for (const candidate of CANDIDATE_BODIES) if (spec.body.safeParse(candidate).success) return candidate;
  throw new Error(`security matrix: no valid sample body for ${key}; add one to BODIES in test/support/security-access.ts`);
}
