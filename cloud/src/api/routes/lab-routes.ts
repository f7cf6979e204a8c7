/**
 * The alarm-burden lab over stored recordings (cloud/src/replay/lab/lab-service.ts): start a run comparing
 * configurations, poll it, read its result as JSON or CSV.
 *
 * Who: admin, researcher and charge_nurse (who sets the ward's alarm limits), as for controlling replays
 * (recording-routes.ts). A run reads recordings, which may hold real patient data: starting one and reading its
 * results are audited.
 */
import { LabConfigListResponse, LabResult, LabRunListResponse, LabRunParams, LabRunRequest, LabRunStatus, PmError, type Role } from '@vigil/contracts';
import type { ApiContext } from '../api-context.ts';
import { route } from '../route-table.ts';

const LAB: readonly Role[] = ['admin', 'researcher', 'charge_nurse'];

export function labRoutes(ctx: ApiContext) {
  const lab = () => {
    if (!ctx.lab) throw new PmError('PM_ERR_NOT_FOUND', 'the alarm-burden lab is not enabled in this cloud');
    return ctx.lab;
  };
  return [
    route({
      method: 'get',
      path: '/api/lab/configs',
      tag: 'lab',
      summary: 'The stored lab configurations (alarm limits and delays, NEWS2 triggers, LSTM) to compare',
      auth: 'session',
      roles: LAB,
      scope: 'user',
      response: LabConfigListResponse,
      handler: async () => ({ configs: await lab().configs() }),
    }),
    route({
      method: 'post',
      path: '/api/lab/runs',
      tag: 'lab',
      summary: 'Start a lab run: recordings × two or more configurations (stored by name and/or inline); returns its status',
      auth: 'session',
      roles: LAB,
      scope: 'user',
      audit: 'lab.run',
      body: LabRunRequest,
      response: LabRunStatus,
      handler: ({ body, principal }) => lab().start(body, principal!.username),
    }),
    route({
      method: 'get',
      path: '/api/lab/runs',
      tag: 'lab',
      summary: 'Lab runs, newest first (queued, running, finished, failed)',
      auth: 'session',
      roles: LAB,
      scope: 'user',
      response: LabRunListResponse,
      handler: () => ({ runs: lab().list() }),
    }),
    route({
      method: 'get',
      path: '/api/lab/runs/:runId',
      tag: 'lab',
      summary: 'Status and progress of a lab run',
      auth: 'session',
      roles: LAB,
      scope: 'user',
      params: LabRunParams,
      response: LabRunStatus,
      handler: ({ params }) => lab().status(params.runId),
    }),
    route({
      method: 'get',
      path: '/api/lab/runs/:runId/result',
      tag: 'lab',
      summary: 'Result of a finished lab run (409 PM_ERR_LAB_NOT_READY before)',
      auth: 'session',
      roles: LAB,
      scope: 'user',
      audit: 'lab.result.read',
      params: LabRunParams,
      response: LabResult,
      handler: ({ params }) => lab().result(params.runId),
    }),
    route({
      method: 'get',
      path: '/api/lab/runs/:runId/csv',
      tag: 'lab',
      summary: 'Result of a finished lab run as CSV, one row per configuration',
      auth: 'session',
      roles: LAB,
      scope: 'user',
      audit: 'lab.result.read',
      params: LabRunParams,
      produces: 'text/csv; charset=utf-8',
      handler: ({ params }) => lab().csv(params.runId),
    }),
  ];
}

