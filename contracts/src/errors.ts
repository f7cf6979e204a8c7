/**
 * The error catalogue: one stable code per failure, used in logs, metric labels and API responses
 * (fastify-style). Codes never change meaning; new failures get new codes.
 */

interface ErrorSpec {
  /** HTTP status when the error reaches a REST client. */
  readonly status: number;
  /** Short, human-readable default message. */
  readonly message: string;
  /** Label value for rejection metrics (low cardinality, snake_case). */
  readonly reason: string;
}

export const ERRORS = {
  // Device payloads (edge ingest)
  PM_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'payload exceeds the size limit', reason: 'payload_too_large' },
  PM_ERR_PAYLOAD_ENCODING: { status: 400, message: 'payload is not valid UTF-8', reason: 'payload_encoding' },
  PM_ERR_PAYLOAD_JSON: { status: 400, message: 'payload is not valid JSON', reason: 'payload_json' },
  PM_ERR_PAYLOAD_TOO_DEEP: { status: 400, message: 'payload nesting exceeds the depth limit', reason: 'payload_too_deep' },
  PM_ERR_PAYLOAD_FORBIDDEN_KEY: { status: 400, message: 'payload contains a forbidden key (__proto__, constructor, prototype)', reason: 'payload_forbidden_key' },
  PM_ERR_PAYLOAD_SCHEMA: { status: 400, message: 'payload does not match the message schema', reason: 'payload_schema' },
  PM_ERR_DEVICE_MISMATCH: { status: 403, message: 'payload deviceId differs from the authenticated device', reason: 'device_mismatch' },
  PM_ERR_VITAL_IMPLAUSIBLE: { status: 422, message: 'vital value outside the physiologically possible range', reason: 'vital_implausible' },
  PM_ERR_TIME_SKEW: { status: 422, message: 'event time too far from the gateway clock', reason: 'time_skew' },
  PM_ERR_SEQ_DUPLICATE: { status: 409, message: 'sample key (deviceId, bootId, seq) already received', reason: 'seq_duplicate' },
  PM_ERR_SEQ_REGRESSION: { status: 409, message: 'sequence number went backwards within a boot', reason: 'seq_regression' },
  // MQTT session and topics
  PM_ERR_AUTH_ANONYMOUS: { status: 401, message: 'anonymous clients are not accepted', reason: 'auth_anonymous' },
  PM_ERR_AUTH_BAD_CREDENTIALS: { status: 401, message: 'unknown client or wrong secret', reason: 'auth_bad_credentials' },
  PM_ERR_AUTH_CLIENT_ID: { status: 403, message: 'MQTT client id must equal the authenticated identity', reason: 'auth_client_id' },
  PM_ERR_TOPIC_FORBIDDEN: { status: 403, message: 'client may not publish to this topic', reason: 'topic_forbidden' },
  PM_ERR_SUBSCRIBE_FORBIDDEN: { status: 403, message: 'client may not subscribe to this topic', reason: 'subscribe_forbidden' },
  PM_ERR_WILL_FORBIDDEN: { status: 403, message: 'Last Will topic is not the client\u2019s own status topic', reason: 'will_forbidden' },
  PM_ERR_RATE_LIMITED: { status: 429, message: 'message rate limit exceeded', reason: 'rate_limited' },
  PM_ERR_PACKET_TOO_LARGE: { status: 413, message: 'MQTT packet exceeds the maximum packet size', reason: 'packet_too_large' },
  PM_ERR_MQTT_PROTOCOL: { status: 400, message: 'malformed MQTT packet or protocol violation', reason: 'mqtt_protocol' },
  // Edge store-and-forward
  PM_ERR_OUTBOX_FULL: { status: 507, message: 'outbox full: oldest backlog records dropped', reason: 'outbox_full' },
  // Uplink (cloud ingest)
  PM_ERR_UPLINK_ENCODING: { status: 400, message: 'uplink payload is neither JSON nor valid gzip within the size limit', reason: 'uplink_encoding' },
  PM_ERR_UPLINK_WARD_MISMATCH: { status: 403, message: 'uplink batch names a ward the gateway does not serve', reason: 'uplink_ward_mismatch' },
  PM_ERR_STORE_FAILED: { status: 503, message: 'storage write failed', reason: 'store_failed' },
  // REST and configuration
  PM_ERR_VALIDATION: { status: 400, message: 'request is invalid', reason: 'validation' },
  PM_ERR_UNAUTHENTICATED: { status: 401, message: 'sign-in required', reason: 'unauthenticated' },
  PM_ERR_FORBIDDEN: { status: 403, message: 'not permitted for this user', reason: 'forbidden' },
  PM_ERR_NOT_FOUND: { status: 404, message: 'no such resource', reason: 'not_found' },
  PM_ERR_INTERNAL: { status: 500, message: 'internal error', reason: 'internal' },
  PM_ERR_CONFIG_INVALID: { status: 500, message: 'configuration is invalid', reason: 'config_invalid' },
  // Session files (contracts/src/session.ts)
  PM_ERR_SESSION_FORMAT: { status: 400, message: 'session file is not a valid vigil-session v1 file', reason: 'session_format' },
  // Recordings and replays (contracts/src/recording.ts)
  PM_ERR_RECORDING_TOO_LARGE: { status: 413, message: 'recording exceeds the upload size limit', reason: 'recording_too_large' },
  PM_ERR_REPLAY_STATE: { status: 409, message: 'the replay cannot do this in its current state', reason: 'replay_state' },
  PM_ERR_REPLAY_LIMIT: { status: 429, message: 'too many replays running', reason: 'replay_limit' },
  // Alarm-burden lab (contracts/src/lab.ts)
  PM_ERR_LAB_CONFIG: { status: 400, message: 'lab configuration is invalid', reason: 'lab_config' },
  PM_ERR_LAB_NOT_READY: { status: 409, message: 'the lab run has not finished', reason: 'lab_not_ready' },
  PM_ERR_LAB_RUN_LIMIT: { status: 429, message: 'too many lab runs queued or running', reason: 'lab_run_limit' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];

/** An error that carries its catalogue code; `details` are safe to show (no patient data). */
export class PmError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly reason: string;
  readonly details: Array<{ path: string; message: string }> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Array<{ path: string; message: string }>) {
    super(message ?? ERRORS[code].message);
    this.name = 'PmError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.reason = ERRORS[code].reason;
    this.details = details;
  }

  toBody(): { error: { code: ErrorCode; message: string; details?: Array<{ path: string; message: string }> } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export function isPmError(value: unknown): value is PmError {
  return value instanceof PmError;
}
