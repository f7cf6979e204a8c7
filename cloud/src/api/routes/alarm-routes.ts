/**
 * Alarms: list with filters (only the caller's wards), one alarm with its full transition history, and the actions
 * (acknowledge, audio pause, escalate). Actions run through the pipeline's queue, are committed with their
 * transition (who, when), audited, and pushed at once to every open dashboard of the ward.
 */
import { AlarmActionResponse, AlarmDetailResponse, AlarmListQuery, AlarmListResponse, AlarmParams, AudioPauseRequest, EmptyRequest, PmError } from '@vigil/contracts';
import type { AlarmManager } from '../../alarms/alarm-manager.ts';
import type { ApiContext } from '../api-context.ts';
import { route } from '../route-table.ts';

export type AlarmAction = 'acknowledge' | 'audio-pause' | 'escalate';

/** One alarm action, shared by REST and socket.io: same checks, same commit, same push. */
export async function performAlarmAction(ctx: ApiContext, alarmId: string, action: AlarmAction, user: string, durationS?: number) {
  const durationMs = durationS === undefined ? undefined : Math.min(durationS, ctx.audioPauseMaxS) * 1000;
  const act = (alarms: AlarmManager, now: number) =>
    action === 'acknowledge'
      ? alarms.acknowledge(alarmId, user, now)
      : action === 'audio-pause'
        ? alarms.audioPause(alarmId, user, durationMs, now)
        : alarms.escalate(alarmId, user, now);
  const events = await ctx.pipeline.alarmAction(act);
  ctx.publishAlarms(events);
  const alarm = events.at(-1)?.alarm ?? ctx.pipeline.alarms.get(alarmId);
  if (!alarm) throw new PmError('PM_ERR_NOT_FOUND', `no alarm ${alarmId}`);
  return alarm;
}

export function alarmRoutes(ctx: ApiContext) {
  const action = (name: AlarmAction, summary: string) =>
    route({
      method: 'post',
      path: `/api/alarms/:alarmId/${name}`,
      tag: 'alarms',
      summary,
      auth: 'session',
      scope: 'alarm',
      audit: `alarm.${name}`,
      params: AlarmParams,
      body: name === 'audio-pause' ? AudioPauseRequest : EmptyRequest,
      response: AlarmActionResponse,
      handler: async ({ params, body, principal }) => ({
        alarm: await performAlarmAction(ctx, params.alarmId, name, principal!.username, (body as { durationS?: number }).durationS),
      }),
    });

  return [
    route({
      method: 'get',
      path: '/api/alarms',
      tag: 'alarms',
      summary: 'Alarms with filters (ward, patient, state, priority, kind, raised in [from, to)), newest first, paged',
      auth: 'session',
      scope: 'user',
      audit: 'alarms.list',
      query: AlarmListQuery,
      response: AlarmListResponse,
      handler: async ({ query, principal }) => {
        const readable = ctx.auth.readableWards(principal!);
        if (query.wardId !== undefined && !readable.includes(query.wardId)) throw new PmError('PM_ERR_FORBIDDEN', `not assigned to ward ${query.wardId}`);
        return ctx.repos.alarms.list(ctx.db, { ...query, wardIds: query.wardId ? [query.wardId] : readable });
      },
    }),
    route({
      method: 'get',
      path: '/api/alarms/:alarmId',
      tag: 'alarms',
      summary: 'One alarm and every transition of it: phase, state, who and when',
      auth: 'session',
      scope: 'alarm',
      audit: 'alarm.read',
      params: AlarmParams,
      response: AlarmDetailResponse,
      handler: async ({ params }) => {
        const alarm = await ctx.repos.alarms.get(ctx.db, params.alarmId);
        if (!alarm) throw new PmError('PM_ERR_NOT_FOUND', `no alarm ${params.alarmId}`);
        return { alarm: ctx.pipeline.alarms.get(params.alarmId) ?? alarm, history: await ctx.repos.alarms.history(ctx.db, params.alarmId) };
      },
    }),
    action('acknowledge', 'Acknowledge: silences an active alarm until its condition ends; ends a latched one'),
    action('audio-pause', 'Pause the alarm\u2019s audio for a limited time (the visual signal stays)'),
    action('escalate', 'Escalate to the charge nurse now'),
  ];
}
