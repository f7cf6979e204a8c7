/** Wards: the list a user may see, a ward's live snapshot, its patients, its monitoring sessions. */
import { PatientListResponse, PmError, SessionListResponse, TimeRangeQuery, WardListResponse, WardParams, WardSnapshot } from '@vigil/contracts';
import type { ApiContext } from '../api-context.ts';
import { route } from '../route-table.ts';

export function wardRoutes(ctx: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/wards',
      tag: 'wards',
      summary: 'The wards the user may read (assigned or break-glass), with bed and open-alarm counts',
      auth: 'session',
      scope: 'user',
      response: WardListResponse,
      handler: ({ principal }) => ({
        wards: ctx
          .knownWards()
          .filter((w) => ctx.auth.canReadWard(principal!, w))
          .sort()
          .map((wardId) => ({ wardId, beds: ctx.wardState.bedsOf(wardId).length, activeAlarms: ctx.pipeline.openAlarms(wardId).length })),
      }),
    }),
    route({
      method: 'get',
      path: '/api/wards/:wardId',
      tag: 'wards',
      summary: 'A ward\u2019s snapshot: beds with newest values and NEWS2, open alarms',
      auth: 'session',
      scope: 'ward',
      audit: 'ward.read',
      params: WardParams,
      response: WardSnapshot,
      handler: ({ params }) => {
        const snapshot = ctx.wardSnapshot(params.wardId);
        if (!snapshot) throw new PmError('PM_ERR_NOT_FOUND', `no ward ${params.wardId}`);
        return snapshot;
      },
    }),
    route({
      method: 'get',
      path: '/api/wards/:wardId/patients',
      tag: 'wards',
      summary: 'The patients in a ward\u2019s beds, with their newest NEWS2',
      auth: 'session',
      scope: 'ward',
      audit: 'ward.patients.read',
      params: WardParams,
      response: PatientListResponse,
      handler: async ({ params }) => {
        const beds = ctx.wardState.bedsOf(params.wardId);
        const news2 = await ctx.repos.windows.latestNews2(ctx.db, beds.map((b) => b.patientId));
        return { patients: beds.map((b) => ({ patientId: b.patientId, wardId: b.wardId, bedId: b.bedId, news2: news2.get(b.patientId) ?? null, updatedAt: b.updatedAt })) };
      },
    }),
    route({
      method: 'get',
      path: '/api/wards/:wardId/sessions',
      tag: 'wards',
      summary: 'Monitoring sessions (session windows: runs of a patient\u2019s data without a long gap) in a time range',
      auth: 'session',
      scope: 'ward',
      audit: 'ward.sessions.read',
      params: WardParams,
      query: TimeRangeQuery,
      response: SessionListResponse,
      handler: async ({ params, query }) => {
        const to = query.to ?? ctx.now();
        const from = query.from ?? to - 86_400_000;
        return { sessions: await ctx.repos.windows.sessions(ctx.db, params.wardId, from, to) };
      },
    }),
  ];
}
