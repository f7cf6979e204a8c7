/**
 * The replay page's calls to the cloud that the shared helpers (auth/cloud-api.ts: JSON GET and POST) do not cover:
 * a raw-body upload, a DELETE, and a CSV download. Same error handling: a failure is a CloudApiError carrying the
 * API's code and message.
 */
import { CloudApiError, errorBodyMessage, type Schema } from '../auth/cloud-api.ts';

const REQUEST_TIMEOUT_MS = 10_000; // 10 s, as auth/cloud-api.ts
const UPLOAD_TIMEOUT_MS = 300_000; // 5 min: a session file may be hundreds of MB, validated while it is stored

async function send(cloudUrl: string, path: string, init: RequestInit, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${cloudUrl}${path}`, { ...init, cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw new CloudApiError(0, null, `the cloud is unreachable (${cloudUrl})`);
  }
  if (!res.ok) {
    const error = errorBodyMessage(await res.json().catch(() => null));
    throw new CloudApiError(res.status, error?.code ?? null, error?.message ?? `the cloud answered HTTP ${res.status}`);
  }
  return res;
}

async function parsed<T>(res: Response, schema: Schema<T>): Promise<T> {
  const result = schema.safeParse(await res.json().catch(() => null));
  if (!result.success) throw new CloudApiError(0, null, 'the cloud sent an answer this dashboard does not understand');
  return result.data;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** DELETE an authenticated route. */
export async function apiDelete<T>(cloudUrl: string, token: string, path: string, schema: Schema<T>): Promise<T> {
  return parsed(await send(cloudUrl, path, { method: 'DELETE', headers: bearer(token) }), schema);
}

/** POST a file as the raw body (a session file: JSONL or gzip). */
export async function apiUpload<T>(cloudUrl: string, token: string, path: string, file: Blob, schema: Schema<T>): Promise<T> {
  const gzip = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const type = gzip[0] === 0x1f && gzip[1] === 0x8b ? 'application/gzip' : 'application/x-ndjson';
  return parsed(await send(cloudUrl, path, { method: 'POST', headers: { ...bearer(token), 'content-type': type }, body: file }, UPLOAD_TIMEOUT_MS), schema);
}

/** GET a text answer (CSV). */
export async function apiText(cloudUrl: string, token: string, path: string): Promise<string> {
  return (await send(cloudUrl, path, { headers: bearer(token) })).text();
}

/** Offer text as a file download in the browser. */
export function downloadText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** What the user may do here, by role (cloud/src/api/routes/recording-routes.ts, lab-routes.ts). */
export function permissions(role: string | undefined): { manage: boolean; control: boolean } {
  return { manage: role === 'admin' || role === 'researcher', control: role === 'admin' || role === 'researcher' || role === 'charge_nurse' };
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
