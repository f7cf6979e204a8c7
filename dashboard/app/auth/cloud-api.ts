/**
 * The dashboard's calls to the cloud's REST API, from the browser. Every route but sign-in needs
 * `Authorization: Bearer <token>`; a failure carries the API's error body (`{ error: { code, message } }`,
 * contracts/src/rest.ts) so that the screen can say what the cloud said.
 */
import { ErrorBody, LoginResponse, type ErrorCode } from '@vigil/contracts';

/** What is needed of a contracts (zod) schema here; keeps zod itself out of the dashboard's dependencies. */
export interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** A browser request must not hang a screen when the cloud is down. */
const REQUEST_TIMEOUT_MS = 10_000; // 10 s: sign-in hashes the password (scrypt), allow for a busy cloud

export class CloudApiError extends Error {
  /** HTTP status; 0 when the cloud could not be reached or sent something unreadable. */
  readonly status: number;
  /** The catalogue code from the error body, when there was one. */
  readonly code: ErrorCode | null;

  constructor(status: number, code: ErrorCode | null, message: string) {
    super(message);
    this.name = 'CloudApiError';
    this.status = status;
    this.code = code;
  }

  /** The session is gone (expired, ended or never valid): the user has to sign in again. */
  get unauthenticated(): boolean {
    return this.status === 401 || this.code === 'PM_ERR_UNAUTHENTICATED';
  }
}

/** The error body's message with its details ("username: 2-40 of [a-z0-9._-]"), or null if it is not one. */
export function errorBodyMessage(raw: unknown): { code: ErrorCode; message: string } | null {
  const body = ErrorBody.safeParse(raw);
  if (!body.success) return null;
  const { code, message, details } = body.data.error;
  const extra = details?.length ? ` (${details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ')})` : '';
  return { code, message: `${message}${extra}` };
}

async function request<T>(cloudUrl: string, path: string, init: RequestInit, schema: Schema<T>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${cloudUrl}${path}`, { ...init, cache: 'no-store', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch {
    throw new CloudApiError(0, null, `the cloud is unreachable (${cloudUrl})`);
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // an empty or non-JSON body: judged by the status below
  }
  if (!res.ok) {
    const error = errorBodyMessage(body);
    throw new CloudApiError(res.status, error?.code ?? null, error?.message ?? `the cloud answered HTTP ${res.status}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new CloudApiError(0, null, 'the cloud sent an answer this dashboard does not understand');
  return parsed.data;
}

const json = (token: string | null) => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

/** POST /api/auth/login (public). */
export function login(cloudUrl: string, username: string, password: string): Promise<LoginResponse> {
  return request(cloudUrl, '/api/auth/login', { method: 'POST', headers: json(null), body: JSON.stringify({ username, password }) }, LoginResponse);
}

/** GET an authenticated route, validated with the contract's schema. */
export function apiGet<T>(cloudUrl: string, token: string, path: string, schema: Schema<T>): Promise<T> {
  return request(cloudUrl, path, { headers: { authorization: `Bearer ${token}` } }, schema);
}

/** POST an authenticated route with a JSON body. */
export function apiPost<T>(cloudUrl: string, token: string, path: string, body: unknown, schema: Schema<T>): Promise<T> {
  return request(cloudUrl, path, { method: 'POST', headers: json(token), body: JSON.stringify(body) }, schema);
}
