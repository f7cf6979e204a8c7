/**
 * The dashboard server's runtime settings, read per request from VIGIL_DASHBOARD_* variables (like cloud-url.ts), so
 * one build serves any deployment. Invalid values fail loudly with the variable's name (PM_ERR_CONFIG_INVALID).
 *
 *   VIGIL_DASHBOARD_AUDIO_PAUSE_S   audio pause the inbox asks for, s (default 120; the cloud caps it at its own max)
 *   VIGIL_DASHBOARD_EDGE_VIEWS      the edges' local ward views, `wardId=url` comma-separated
 *                                   (e.g. ward-a=http://edge-a:4100); unset: no fallback when the cloud is down
 *   VIGIL_DASHBOARD_EDGE_TOKEN      their bearer token (VIGIL_EDGE_LOCAL_VIEW_TOKEN), or
 *   VIGIL_DASHBOARD_EDGE_TOKEN_FILE a file holding it (preferred: not in the process environment)
 */
import { readFileSync } from 'node:fs';
import { connection } from 'next/server';
import { PmError, WardId } from '@vigil/contracts';

/** IEC 60601-1-8 audio pause is time-limited; 2 min is the usual central-station default. */
export const DEFAULT_AUDIO_PAUSE_S = 120;

export interface EdgeViewConfig {
  wardId: string;
  url: string;
  token: string;
}

function invalid(variable: string, why: string): PmError {
  const error = new PmError('PM_ERR_CONFIG_INVALID', `VIGIL_DASHBOARD_${variable}: ${why}`);
  console.error(JSON.stringify({ level: 50, service: 'dashboard', code: error.code, msg: error.message }));
  return error;
}

export function parseAudioPauseS(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_AUDIO_PAUSE_S;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 600) throw invalid('AUDIO_PAUSE_S', `an integer from 1 to 600 s, got "${raw}"`);
  return value;
}

/** `ward-a=http://edge-a:4100,ward-b=…` → ward id → base URL (no trailing slash). */
export function parseEdgeViews(raw: string | undefined): Map<string, string> {
  const views = new Map<string, string>();
  for (const entry of (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const wardId = WardId.safeParse(entry.slice(0, Math.max(0, eq)).trim());
    if (eq < 0 || !wardId.success) throw invalid('EDGE_VIEWS', `"${entry}" is not wardId=url`);
    let url: URL;
    try {
      url = new URL(entry.slice(eq + 1).trim());
    } catch {
      throw invalid('EDGE_VIEWS', `"${entry}" has no valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('EDGE_VIEWS', `"${entry}": only http(s) URLs`);
    views.set(wardId.data, url.href.replace(/\/+$/, ''));
  }
  return views;
}

function edgeToken(env: NodeJS.ProcessEnv): string | null {
  const file = env.VIGIL_DASHBOARD_EDGE_TOKEN_FILE?.trim();
  let token = env.VIGIL_DASHBOARD_EDGE_TOKEN?.trim() ?? '';
  if (file) {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw invalid('EDGE_TOKEN_FILE', `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (token === '') return null;
  // The edge refuses shorter tokens (edge/src/local-view.ts, MIN_TOKEN_LENGTH).
  if (token.length < 32) throw invalid(file ? 'EDGE_TOKEN_FILE' : 'EDGE_TOKEN', 'the edge local-view token has at least 32 characters');
  return token;
}

/** The audio pause length for the inbox (read at request time). */
export async function getAudioPauseS(): Promise<number> {
  await connection();
  return parseAudioPauseS(process.env.VIGIL_DASHBOARD_AUDIO_PAUSE_S);
}

/** The edge view of a ward, with its token, or null when none is configured. Server side only. */
export async function getEdgeView(wardId: string): Promise<EdgeViewConfig | null> {
  await connection();
  const url = parseEdgeViews(process.env.VIGIL_DASHBOARD_EDGE_VIEWS).get(wardId);
  if (!url) return null;
  const token = edgeToken(process.env);
  if (!token) throw invalid('EDGE_TOKEN', `an edge view is configured for ${wardId} but no token (EDGE_TOKEN or EDGE_TOKEN_FILE)`);
  return { wardId, url, token };
}
