/** Every REST route of the cloud, in one list (the router, the OpenAPI document and the security tests read it). */
import type { ApiContext } from '../api-context.ts';
import type { RouteSpec } from '../route-table.ts';
import { adminRoutes } from './admin-routes.ts';
import { alarmRoutes } from './alarm-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { labRoutes } from './lab-routes.ts';
import { opsRoutes } from './ops-routes.ts';
import { patientRoutes } from './patient-routes.ts';
import { recordingRoutes } from './recording-routes.ts';
import { wardRoutes } from './ward-routes.ts';

export function allRoutes(ctx: ApiContext): RouteSpec[] {
  return [...opsRoutes(ctx), ...authRoutes(ctx), ...wardRoutes(ctx), ...patientRoutes(ctx), ...alarmRoutes(ctx), ...adminRoutes(ctx), ...recordingRoutes(ctx), ...labRoutes(ctx)];
}
