/**
 * Recordings (stored session files) and replays (a recording played into its own replay ward). docs/replay.md.
 *
 * Who may do what:
 *   list recordings, see replays       — every signed-in user (metadata only; the replay ward itself is open to all,
 *                                        auth-service.ts, as teaching and review material)
 *   upload, delete recordings          — admin, researcher (a recording may hold real patient data: a deliberate act)
 *   play, pause, resume, seek, speed,
 *   stop a replay                      — admin, researcher, charge_nurse (runs teaching sessions)
 * Every change is audited; so is the list (it names what data the cloud holds).
 *
 * Upload: the body is the session file itself, JSONL or gzip (`Content-Type: application/x-ndjson`, `application/gzip`
 * or `application/octet-stream`), streamed to disk under the size limit and validated line by line
 * (PM_ERR_RECORDING_TOO_LARGE, PM_ERR_SESSION_FORMAT naming the line).
 */
import { z } from 'zod';
import {
  PlayRequest,
  PlayResponse,
  PmError,
  RecordingInfo,
  RecordingListResponse,
  RecordingParams,
  RecordingUploadQuery,
  ReplayListResponse,
  ReplayParams,
  ReplaySpeed,
  ReplayStatus,
  SeekRequest,
  type Role,
} from '@vigil/contracts';
import type { ApiContext } from '../api-context.ts';
import { route } from '../route-table.ts';

const MANAGE: readonly Role[] = ['admin', 'researcher'];
const CONTROL: readonly Role[] = ['admin', 'researcher', 'charge_nurse'];
const SpeedRequest = z.object({ speed: ReplaySpeed }).strict();
const DeleteResponse = z.object({ recordingId: z.string(), deleted: z.literal(true) }).strict();

export function recordingRoutes(ctx: ApiContext) {
  const { recordings, replays } = ctx;
  return [
    route({
      method: 'get',
      path: '/api/recordings',
      tag: 'recordings',
      summary: 'Stored recordings (session files), newest first',
      auth: 'session',
      scope: 'user',
      audit: 'recording.list',
      response: RecordingListResponse,
      handler: async () => ({ recordings: await recordings.list() }),
    }),
    route({
      method: 'post',
      path: '/api/recordings',
      tag: 'recordings',
      summary: 'Upload a session file (body: JSONL or gzip, not JSON), validated while it is stored',
      auth: 'session',
      roles: MANAGE,
      scope: 'user',
      audit: 'recording.upload',
      query: RecordingUploadQuery,
      response: RecordingInfo,
      handler: async ({ query, req }) => {
        if (req.body !== undefined || req.readableEnded) {
          throw new PmError('PM_ERR_VALIDATION', 'send the session file as the raw body (Content-Type application/x-ndjson, application/gzip or application/octet-stream), not as JSON');
        }
        const name = query.name ?? `upload-${new Date(ctx.now()).toISOString()}`;
        try {
          const info = await recordings.add(req, name);
          ctx.replayMetrics.uploads.inc({ result: 'stored' });
          ctx.logger.info({ recordingId: info.id, bytes: info.bytes, records: info.records, source: info.source }, 'recording stored');
          return info;
        } catch (err) {
          const reason = err instanceof PmError ? err.reason : 'internal';
          ctx.replayMetrics.uploads.inc({ result: reason });
          ctx.logger.warn({ code: err instanceof PmError ? err.code : undefined, err: (err as Error).message }, 'recording upload refused');
          // The request may still be sending: let it drain so the client reads our answer instead of a reset.
          req.resume();
          throw err;
        }
      },
    }),
    route({
      method: 'delete',
      path: '/api/recordings/:recordingId',
      tag: 'recordings',
      summary: 'Delete a recording (replays already running keep their open file to the end)',
      auth: 'session',
      roles: MANAGE,
      scope: 'user',
      audit: 'recording.delete',
      params: RecordingParams,
      response: DeleteResponse,
      handler: async ({ params }) => {
        if (!(await recordings.remove(params.recordingId))) throw new PmError('PM_ERR_NOT_FOUND', `no recording ${params.recordingId}`);
        ctx.logger.info({ recordingId: params.recordingId }, 'recording deleted');
        return { recordingId: params.recordingId, deleted: true as const };
      },
    }),
    route({
      method: 'post',
      path: '/api/recordings/:recordingId/play',
      tag: 'recordings',
      summary: 'Play a recording into a new replay ward at a speed (1 = real time, N, or "max")',
      auth: 'session',
      roles: CONTROL,
      scope: 'user',
      audit: 'replay.start',
      params: RecordingParams,
      body: PlayRequest,
      response: PlayResponse,
      handler: ({ params, body, principal }) => replays.play(params.recordingId, body.speed, principal!.username),
    }),
    route({
      method: 'get',
      path: '/api/replays',
      tag: 'recordings',
      summary: 'Replays running, paused and recently ended',
      auth: 'session',
      scope: 'user',
      response: ReplayListResponse,
      handler: () => ({ replays: replays.list() }),
    }),
    route({
      method: 'get',
      path: '/api/replays/:replayId',
      tag: 'recordings',
      summary: 'A replay\u2019s state, speed and position (event time)',
      auth: 'session',
      scope: 'user',
      params: ReplayParams,
      response: ReplayStatus,
      handler: ({ params }) => replays.status(params.replayId),
    }),
    ...(['pause', 'resume', 'stop'] as const).map((action) =>
      route({
        method: 'post',
        path: `/api/replays/:replayId/${action}`,
        tag: 'recordings',
        summary: `${action[0]!.toUpperCase()}${action.slice(1)} a replay`,
        auth: 'session',
        roles: CONTROL,
        scope: 'user',
        audit: `replay.${action}`,
        params: ReplayParams,
        response: ReplayStatus,
        handler: ({ params }) => replays[action](params.replayId),
      }),
    ),
    route({
      method: 'post',
      path: '/api/replays/:replayId/seek',
      tag: 'recordings',
      summary: 'Seek to an event time (forward: fast-forward; backward: continues as a new replay, whose status is returned)',
      auth: 'session',
      roles: CONTROL,
      scope: 'user',
      audit: 'replay.seek',
      params: ReplayParams,
      body: SeekRequest,
      response: ReplayStatus,
      handler: ({ params, body, principal }) => {
        const current = replays.status(params.replayId);
        const to = body.to ?? current.start + body.offsetMs!;
        return replays.seek(params.replayId, to, principal!.username);
      },
    }),
    route({
      method: 'post',
      path: '/api/replays/:replayId/speed',
      tag: 'recordings',
      summary: 'Change a replay\u2019s speed',
      auth: 'session',
      roles: CONTROL,
      scope: 'user',
      audit: 'replay.speed',
      params: ReplayParams,
      body: SpeedRequest,
      response: ReplayStatus,
      handler: ({ params, body }) => replays.speed(params.replayId, body.speed),
    }),
  ];
}
