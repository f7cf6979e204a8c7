/** PhysioNet/CinC Challenge 2012 importer: record and outcomes parsers, the vitals mapping, derived events, and the
 * per-stay PatientSeries dataset. */
export {
  ICU_TYPES,
  PHYSIONET_ERRORS,
  PhysioNetFormatError,
  PhysioNetObservation,
  PhysioNetRecord,
  listRecordFiles,
  parseRecord,
  readRecord,
  readRecordDirectory,
  type PhysioNetErrorCode,
  type ReadDirectoryOptions,
  type RecordRejection,
} from './record-format.ts';
export { PhysioNetOutcome, parseOutcomes, readOutcomes } from './outcomes.ts';
export {
  ARTIFACT_REASONS,
  ASIDE_PARAMETERS,
  DROP_REASONS,
  PARAMETER_MAP,
  classifyValue,
  consciousnessFromGcs,
  type ArtifactReason,
  type AsideParameter,
  type DropReason,
  type PhysioNetSource,
  type ValueVerdict,
} from './parameter-map.ts';
export { DERIVED_EVENT_RULES, deriveEvents, deriveRuleEvents, type DerivedEventRule, type DerivedReading } from './derived-events.ts';
export {
  PHYSIONET_BASE_MS,
  PHYSIONET_CARRY_FORWARD_MS,
  PHYSIONET_EXPECTED_INTERVAL_MS,
  buildPhysioNetDataset,
  physionetSetPaths,
  type PhysioNetDataset,
  type PhysioNetDatasetOptions,
  type PhysioNetDatasetStats,
} from './physionet-dataset.ts';
export {
  PHYSIONET_STAY_MS,
  compareSessionMessages,
  physionetSessionHeader,
  staySession,
  type PhysioNetSessionSource,
  type StaySession,
  type StaySessionCounts,
  type StaySessionOptions,
} from './physionet-session.ts';
export { importPhysioNetSession, type PhysioNetSessionImportOptions, type PhysioNetSessionImportReport } from './physionet-session-import.ts';
