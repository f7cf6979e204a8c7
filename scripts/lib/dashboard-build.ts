/** Build the dashboard when there is no build, or when its sources (or the contracts) are newer than the build. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.next')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function ensureDashboardBuild(root: string, log: (line: string) => void): void {
  const dashboard = join(root, 'dashboard');
  // Same default and variable as dashboard/next.config.ts.
  const buildId = join(dashboard, process.env.VIGIL_DASHBOARD_DIST_DIR ?? '.next', 'BUILD_ID');
  const sources = Math.max(newestMtime(join(dashboard, 'app')), newestMtime(join(root, 'contracts', 'src')));
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= sources) return;
  log('building the dashboard (first run only; about a minute on 2 cores)…');
  execFileSync(process.execPath, [join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: dashboard,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
}
