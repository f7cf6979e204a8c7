/**
 * Recordings and replays (issue 8): a recording is one stored session file (session.ts, format v1) in the cloud's
 * recording store; a replay plays one recording into its own replay ward (`replay-<id>`) on a virtual clock.
 * The REST routes (cloud/src/api/routes/recording-routes.ts) and the lab read these schemas.
 */
import { z } from 'zod';
import { EpochMs, Id, WardId } from './ids.ts';
import { SessionHeader } from './session.ts';

/**
 * Replay wards are named `replay-<replayId>`. Any signed-in user may watch one (teaching, review); live wards keep
 * their assignment rule. A replay never starts into a ward the cloud already knows, so replayed data never mix with
 * live data (provision live wards without this prefix).
 */
export const REPLAY_WARD_PREFIX = 'replay-';
export function isReplayWard(wardId: string): boolean {
  return wardId.startsWith(REPLAY_WARD_PREFIX);
}

/** One stored recording, as listed by the recording store and `GET /api/recordings`. */
export const RecordingInfo = z
  .object({
    id: Id,
    /** Display name given at upload (file name by default). */
    name: z.string().min(1).max(200),
    source: SessionHeader.shape.source,
    /** Number of patients in the session header. */
    patients: z.number().int().min(0),
    /** Event-time span of the session (header start/end). */
    start: EpochMs,
    end: EpochMs,
    /** Size of the stored file (compressed if gzip). */
    bytes: z.number().int().min(0),
    /** Records after the header (messages and ground truth). */
    records: z.number().int().min(0),
    gzip: z.boolean(),
    /** Wall-clock time the recording was stored. */
    createdAt: EpochMs,
  })
  .strict();
export type RecordingInfo = z.infer<typeof RecordingInfo>;

export const RecordingParams = z.object({ recordingId: Id }).strict();
export const RecordingListResponse = z.object({ recordings: z.array(RecordingInfo) }).strict();
export type RecordingListResponse = z.infer<typeof RecordingListResponse>;

/** Upload query: the display name (the body is the raw session file, JSONL or gzip). */
export const RecordingUploadQuery = z.object({ name: z.string().trim().min(1).max(200).optional() }).strict();

/** Playback speed: a factor of real time (1 = real time, 60 = one hour per minute) or 'max' (as fast as the pipeline goes). */
export const ReplaySpeed = z.union([z.number().min(0.1).max(100_000), z.literal('max')]);
export type ReplaySpeed = z.infer<typeof ReplaySpeed>;

export const ReplayState = z.enum(['running', 'paused', 'finished', 'stopped', 'failed']);
export type ReplayState = z.infer<typeof ReplayState>;

export const PlayRequest = z.object({ speed: ReplaySpeed.default(1) }).strict();
export type PlayRequest = z.infer<typeof PlayRequest>;
export const PlayResponse = z.object({ replayId: Id, wardId: WardId }).strict();
export type PlayResponse = z.infer<typeof PlayResponse>;

export const ReplayParams = z.object({ replayId: Id }).strict();

/** Seek to an event time within the session (`to`), or by an offset from its start (`offsetMs`). */
export const SeekRequest = z
  .object({ to: EpochMs.optional(), offsetMs: z.number().int().min(0).optional() })
  .strict()
  .refine((v) => (v.to === undefined) !== (v.offsetMs === undefined), { message: 'give exactly one of to, offsetMs' });
export type SeekRequest = z.infer<typeof SeekRequest>;

export const ReplayStatus = z
  .object({
    replayId: Id,
    recordingId: Id,
    wardId: WardId,
    state: ReplayState,
    speed: ReplaySpeed,
    /** Virtual clock: the event time replayed so far (session start before the first record). */
    position: EpochMs,
    start: EpochMs,
    end: EpochMs,
    /** Device messages fed into the pipeline since the (last) start or seek. */
    messages: z.number().int().min(0),
    startedBy: z.string(),
    startedAt: EpochMs,
    /** Why the replay failed (state 'failed'). */
    error: z.string().optional(),
  })
  .strict();
export type ReplayStatus = z.infer<typeof ReplayStatus>;
export const ReplayListResponse = z.object({ replays: z.array(ReplayStatus) }).strict();
