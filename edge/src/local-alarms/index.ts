/** Local alarms at the edge: critical limits per patient, technical alarms, the IEC 60601-1-8 state machine. */
export { createLocalAlarms, type LocalAlarms, type LocalAlarmsOptions } from './local-alarms.ts';
export {
  CriticalLimits,
  EDGE_CRITICAL_RULES,
  loadPatientLimits,
  mergeRules,
  parsePatientLimits,
  PatientLimitsFile,
  type PatientLimits,
} from './critical-limits.ts';
export {
  DEFAULT_TECHNICAL_OPTIONS,
  TECHNICAL_ALARMS,
  TechnicalAlarmDetector,
  WARD_BED_ID,
  type DevicePlacement,
  type LocalSample,
  type LocalStatus,
  type TechnicalAlarmOptions,
  type TechnicalCode,
} from './technical-alarms.ts';
export { conditionFromRule, LocalAlarmManager, localAlarmId, type AlarmCondition, type ConditionEvent, type ConditionRef } from './local-alarm-manager.ts';
