/**
 * A patient: detail, vitals history at a resolution, NEWS2 and feature windows, charted observations (NEWS2 inputs
 * no device measures), alarm limits, raw waveform requests. Every route is scoped to the patient's ward.
 */
import { z } from 'zod';
import {
  DEFAULT_LIMIT_RULES,
  EmptyRequest,
  FeatureHistoryResponse,
  mergeLimitRules,
  News2HistoryResponse,
  Observation,
  ObservationRequest,
  PatientDetailResponse,
  PatientLimitsRequest,
  PatientLimitsResponse,
  PatientParams,
  PmError,
  TimeRangeQuery,
  VitalsHistoryQuery,
  VitalsHistoryResponse,
  type VitalCode,
} from '@vigil/contracts';
import type { ApiContext } from '../api-context.ts';
import { route } from '../route-table.ts';

const WaveformRequest = z.object({ durationS: z.number().int().min(10).max(600) }).strict();

export function patientRoutes(ctx: ApiContext) {
  const range = (q: { from?: number | undefined; to?: number | undefined }, spanMs: number) => {
    const to = q.to ?? ctx.now();
    const from = q.from ?? to - spanMs;
    if (from > to) throw new PmError('PM_ERR_VALIDATION', 'from is after to');
    return { from, to };
  };
  const bedOf = (patientId: string) => {
    const bed = ctx.wardState.bedOfPatient(patientId);
    if (!bed) throw new PmError('PM_ERR_NOT_FOUND', `no patient ${patientId}`);
    return bed;
  };

  return [
    route({
      method: 'get',
      path: '/api/patients/:patientId',
      tag: 'patients',
      summary: 'A patient: bed, newest values and NEWS2, observations of the last 24 h, alarm limits, open alarms',
      auth: 'session',
      scope: 'patient',
      audit: 'patient.read',
      params: PatientParams,
      response: PatientDetailResponse,
      handler: async ({ params }) => {
        const bed = bedOf(params.patientId);
        const now = ctx.now();
        const [news2, observations, limits] = await Promise.all([
          ctx.repos.windows.latestNews2(ctx.db, [params.patientId]),
          ctx.repos.patients.observations(ctx.db, params.patientId, now - 86_400_000, now + 60_000),
          ctx.repos.patients.limits(ctx.db, params.patientId),
        ]);
        return {
          patientId: params.patientId,
          wardId: bed.wardId,
          bedId: bed.bedId,
          bed,
          news2: news2.get(params.patientId) ?? null,
          observations,
          limits: [...mergeLimitRules(DEFAULT_LIMIT_RULES, limits)],
          limitsCustomised: limits !== undefined && limits.length > 0,
          alarms: ctx.pipeline.openAlarms(bed.wardId).filter((a) => a.patientId === params.patientId),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/patients/:patientId/vitals',
      tag: 'patients',
      summary: 'Vitals history in a time range at a resolution (raw, 1m, 15m, 1h; default from the range), columnar',
      auth: 'session',
      scope: 'patient',
      audit: 'patient.vitals.read',
      params: PatientParams,
      query: VitalsHistoryQuery,
      response: VitalsHistoryResponse,
      handler: ({ params, query }) => {
        const { from, to } = range(query, 15 * 60_000);
        const vitals = query.vitals ? (query.vitals.split(',') as VitalCode[]) : undefined;
        return ctx.repos.history.query(ctx.db, params.patientId, { from, to, resolution: query.resolution, vitals });
      },
    }),
    route({
      method: 'get',
      path: '/api/patients/:patientId/news2',
      tag: 'patients',
      summary: 'NEWS2 per window (with its per-parameter breakdown) in a time range (default 24 h)',
      auth: 'session',
      scope: 'patient',
      audit: 'patient.news2.read',
      params: PatientParams,
      query: TimeRangeQuery,
      response: News2HistoryResponse,
      handler: async ({ params, query }) => {
        const { from, to } = range(query, 86_400_000);
        return { scores: await ctx.repos.windows.news2(ctx.db, params.patientId, from, to) };
      },
    }),
    route({
      method: 'get',
      path: '/api/patients/:patientId/features',
      tag: 'patients',
      summary: 'Feature windows (level, min/max, slope, variability, missingness, quality share) in a time range (default 1 h)',
      auth: 'session',
      scope: 'patient',
      audit: 'patient.features.read',
      params: PatientParams,
      query: TimeRangeQuery,
      response: FeatureHistoryResponse,
      handler: async ({ params, query }) => {
        const { from, to } = range(query, 3_600_000);
        return { windows: await ctx.repos.windows.features(ctx.db, params.patientId, from, to) };
      },
    }),
    route({
      method: 'post',
      path: '/api/patients/:patientId/observations',
      tag: 'patients',
      summary: 'Chart consciousness (ACVPU), oxygen and the SpO2 scale: the NEWS2 inputs no device measures',
      auth: 'session',
      roles: ['clinician', 'charge_nurse'],
      scope: 'patient',
      audit: 'patient.observation.add',
      params: PatientParams,
      body: ObservationRequest,
      response: Observation,
      handler: async ({ params, body, principal }) => {
        bedOf(params.patientId);
        const observation: Observation = {
          patientId: params.patientId,
          t: body.t ?? ctx.now(),
          consciousness: body.consciousness ?? null,
          onOxygen: body.onOxygen ?? null,
          spo2Scale: body.spo2Scale ?? null,
          by: principal!.username,
        };
        await ctx.pipeline.exclusive(async () => {
          await ctx.repos.patients.addObservation(ctx.db, observation);
          ctx.pipeline.processor.addObservation(observation);
        });
        return observation;
      },
    }),
    route({
      method: 'get',
      path: '/api/patients/:patientId/limits',
      tag: 'patients',
      summary: 'The patient\u2019s alarm limit rules (defaults with the patient\u2019s overrides merged by code)',
      auth: 'session',
      scope: 'patient',
      audit: 'patient.limits.read',
      params: PatientParams,
      response: PatientLimitsResponse,
      handler: async ({ params }) => {
        bedOf(params.patientId);
        const limits = await ctx.repos.patients.limits(ctx.db, params.patientId);
        return { patientId: params.patientId, customised: limits !== undefined && limits.length > 0, rules: [...mergeLimitRules(DEFAULT_LIMIT_RULES, limits)] };
      },
    }),
    route({
      method: 'put',
      path: '/api/patients/:patientId/limits',
      tag: 'patients',
      summary: 'Set the patient\u2019s overrides (by rule code; an empty list restores the defaults); applies from the next sample',
      auth: 'session',
      roles: ['charge_nurse', 'admin'],
      scope: 'patient',
      audit: 'patient.limits.update',
      params: PatientParams,
      body: PatientLimitsRequest,
      response: PatientLimitsResponse,
      handler: async ({ params, body, principal }) => {
        bedOf(params.patientId);
        if (new Set(body.rules.map((r) => r.code)).size !== body.rules.length) throw new PmError('PM_ERR_VALIDATION', 'rule codes must be unique');
        await ctx.pipeline.exclusive(async () => {
          await ctx.repos.patients.setLimits(ctx.db, params.patientId, body.rules, principal!.username, ctx.now());
          ctx.pipeline.processor.setLimits(params.patientId, body.rules.length > 0 ? body.rules : undefined);
        });
        return { patientId: params.patientId, customised: body.rules.length > 0, rules: [...mergeLimitRules(DEFAULT_LIMIT_RULES, body.rules)] };
      },
    }),
    route({
      method: 'post',
      path: '/api/patients/:patientId/waveform-requests',
      tag: 'patients',
      summary: 'Ask the ward\u2019s edge gateway to forward the patient\u2019s raw waveforms for a while (10 s to 10 min)',
      auth: 'session',
      scope: 'patient',
      audit: 'patient.waveforms.request',
      params: PatientParams,
      body: WaveformRequest,
      response: EmptyRequest,
      handler: async ({ params, body, principal, wardId }) => {
        await ctx.requestWaveforms(wardId!, params.patientId, body.durationS * 1000, principal!.username);
        return {};
      },
    }),
  ];
}
