/**
 * POST /api/edge-access {wardId}: the ward's edge local view (URL and bearer token), for a browser whose user the
 * cloud has signed in and assigned to that ward. The browser asks while the cloud is reachable and keeps the answer
 * for this tab, so that it can show the edge's local alarms when the cloud stops answering (connection honesty).
 *
 * Why through this server: the edge's local view has one shared token (edge/src/local-view.ts), so it must not be
 * in the page for anyone who loads it; it goes only to a session the cloud vouches for (GET /api/auth/session), for a
 * ward in that session's assignments or live break-glass grants. Errors use the catalogue's codes and statuses.
 */
import { PmError, SessionInfo, WardId, type ErrorCode } from '@vigil/contracts';
import { getCloudUrl } from '../../cloud-url.ts';
import { getEdgeView } from '../../runtime-config.ts';

const VERIFY_TIMEOUT_MS = 5_000; // 5 s: the cloud answers a session check from memory or one indexed read

function fail(code: ErrorCode, message: string): Response {
  const error = new PmError(code, message);
  console.warn(JSON.stringify({ level: 40, service: 'dashboard', route: 'edge-access', code, msg: message }));
  return Response.json(error.toBody(), { status: error.status, headers: { 'cache-control': 'no-store' } });
}

export async function POST(request: Request): Promise<Response> {
  const auth = request.headers.get('authorization') ?? '';
  if (!/^Bearer\s+\S+$/i.test(auth)) return fail('PM_ERR_UNAUTHENTICATED', 'a bearer token is required');
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return fail('PM_ERR_VALIDATION', 'the body must be JSON: {"wardId": "…"}');
  }
  const wardId = WardId.safeParse((body as { wardId?: unknown } | null)?.wardId);
  if (!wardId.success) return fail('PM_ERR_VALIDATION', 'wardId is not a valid identifier');

  let view;
  try {
    view = await getEdgeView(wardId.data);
  } catch (err) {
    return fail('PM_ERR_CONFIG_INVALID', err instanceof Error ? err.message : String(err));
  }
  if (!view) return fail('PM_ERR_NOT_FOUND', `no edge local view is configured for ${wardId.data}`);

  let res: globalThis.Response;
  try {
    res = await fetch(`${await getCloudUrl()}/api/auth/session`, { headers: { authorization: auth }, cache: 'no-store', signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS) });
  } catch {
    return fail('PM_ERR_INTERNAL', 'the cloud is unreachable: the session cannot be verified');
  }
  if (res.status === 401) return fail('PM_ERR_UNAUTHENTICATED', 'the session has ended');
  const session = SessionInfo.safeParse(await res.json().catch(() => null));
  if (!res.ok || !session.success) return fail('PM_ERR_INTERNAL', `the cloud answered the session check with HTTP ${res.status}`);
  const now = Date.now();
  const allowed = session.data.wards.includes(wardId.data) || session.data.breakGlass.some((g) => g.wardId === wardId.data && g.expiresAt > now);
  if (!allowed) return fail('PM_ERR_FORBIDDEN', `not assigned to ward ${wardId.data}`);
  return Response.json({ wardId: view.wardId, url: view.url, token: view.token }, { headers: { 'cache-control': 'no-store' } });
}
