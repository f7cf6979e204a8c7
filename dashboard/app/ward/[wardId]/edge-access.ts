/**
 * The browser's copy of its ward's edge local view (POST /api/edge-access, app/api/edge-access/route.ts), kept in
 * this tab's sessionStorage beside the sign-in (auth/auth-storage.ts clears both), so that a reload during a cloud
 * outage can still fall back to the edge.
 */
export interface EdgeAccess {
  wardId: string;
  url: string;
  token: string;
}

export const EDGE_ACCESS_PREFIX = 'vigil.edge-access.';

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.sessionStorage;
  } catch {
    return null;
  }
}

function isAccess(value: unknown, wardId: string): value is EdgeAccess {
  const v = value as Partial<EdgeAccess> | null;
  return typeof v?.url === 'string' && typeof v.token === 'string' && v.wardId === wardId;
}

export function storedEdgeAccess(wardId: string): EdgeAccess | null {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(EDGE_ACCESS_PREFIX + wardId) ?? 'null');
    return isAccess(parsed, wardId) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Ask the dashboard server for the ward's edge view. null when none is configured (404) or the server refused
 * (a warning says why); the ward screen then simply has no fallback.
 */
export async function fetchEdgeAccess(wardId: string, token: string): Promise<EdgeAccess | null> {
  try {
    const res = await fetch('/api/edge-access', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ wardId }),
      cache: 'no-store',
    });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok || !isAccess(body, wardId)) {
      if (res.status !== 404) console.warn('vigil: no edge fallback for this ward', res.status, body);
      return null;
    }
    storage()?.setItem(EDGE_ACCESS_PREFIX + wardId, JSON.stringify(body));
    return body;
  } catch {
    return null;
  }
}
