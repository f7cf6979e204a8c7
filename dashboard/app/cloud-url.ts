/** Where the cloud service lives, read per request so one build can be pointed at any cloud. */
import { connection } from 'next/server';

export const DEFAULT_CLOUD_URL = 'http://localhost:4000';

/**
 * `VIGIL_DASHBOARD_CLOUD_URL` (default http://localhost:4000), without a trailing slash.
 * `connection()` stops prerendering here, so the value is read at request time and never baked into the build.
 */
export async function getCloudUrl(): Promise<string> {
  await connection();
  const raw = process.env.VIGIL_DASHBOARD_CLOUD_URL?.trim() || DEFAULT_CLOUD_URL;
  return raw.replace(/\/+$/, '');
}
