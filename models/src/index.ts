/**
 * @vigil/models: the LSTM anomaly model's runtime, as the cloud serves it — saved artefacts, the tfjs backend, the
 * model families, the feature encoding and the scorer. Training and evaluation stay behind their CLIs (src/cli/).
 * Importing this loads TensorFlow.js; the cloud imports it only when a model is configured.
 */
export { ModelScorer, type ScoreInput, type ScoreVerdict } from './scoring/model-scorer.ts';
export { ScoringParams, ThresholdMode, errorHistorySteps, thresholdSteps } from './scoring/scoring-params.ts';
export { ARTEFACT_FORMAT, ModelMetadata, loadModel, readMetadata, saveModel, weightsDigest, type LoadedModel } from './model/artefacts.ts';
export { buildAutoencoder, buildForecaster, buildModel, maskedMse, type ArchitectureOptions, type ModelKind } from './model/architecture.ts';
export { BACKEND_PREFERENCE, selectBackend, switchBackend, tf, type BackendName } from './runtime/backend.ts';
export { Normalisation, Z_CLIP, fitNormalisation, zScore } from './features/normalisation.ts';
export { INPUT_SIZE, MODEL_VITALS, VITAL_COUNT, denseSteps, encodeStep, stepIndex, type Step } from './features/model-input.ts';
