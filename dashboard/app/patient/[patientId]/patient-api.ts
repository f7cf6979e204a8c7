/** The patient view's REST reads (cloud/src/api/routes/patient-routes.ts, alarm-routes.ts), validated by the contracts. */
import { AlarmListResponse, PatientDetailResponse, VitalsHistoryResponse } from '@vigil/contracts';
import { apiGet } from '../../auth/cloud-api.ts';
import { historyPath, type Zoom } from './zoom.ts';

/** Alarms listed at most (the API's page size bound is 1,000); the view keeps MAX_ALARMS (alarm-history.ts). */
const ALARM_PAGE = 200;

export function fetchPatient(cloudUrl: string, token: string, patientId: string) {
  return apiGet(cloudUrl, token, `/api/patients/${encodeURIComponent(patientId)}`, PatientDetailResponse);
}

/** The patient's alarms, newest first: open and ended (the API's list covers every state). */
export function fetchPatientAlarms(cloudUrl: string, token: string, patientId: string) {
  const query = new URLSearchParams({ patientId, limit: String(ALARM_PAGE) });
  return apiGet(cloudUrl, token, `/api/alarms?${query.toString()}`, AlarmListResponse);
}

export function fetchHistory(cloudUrl: string, token: string, patientId: string, zoom: Zoom, to: number) {
  return apiGet(cloudUrl, token, historyPath(patientId, zoom, to), VitalsHistoryResponse);
}
