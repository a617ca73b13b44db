/**
 * One error type for the whole service. Each code is stable (clients and dead-letter consumers
 * match on it) and maps once, here, to an HTTP status.
 */
export const ERROR_CODES = {
  TWIN_NOT_FOUND: 404,
  COMMAND_NOT_FOUND: 404,
  RULE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  VALIDATION_ERROR: 400,
  INVALID_ID: 400,
  MALFORMED_JSON: 400,
  LIMIT_EXCEEDED: 400,
  /** A payload naming another device than its topic or key: refused as spoofing. */
  DEVICE_ID_MISMATCH: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Asked for history older than the retention still holds (details say what is held). */
  GONE: 410,
  VERSION_CONFLICT: 412,
  LIFECYCLE_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_READY: 503,
  /** A history read while history is switched off (HISTORY=off). */
  HISTORY_DISABLED: 501,
  /** A behaviour dataset asked for while network behaviour is switched off (BEHAVIOUR=off). */
  BEHAVIOUR_DISABLED: 501,
  UPSTREAM_ERROR: 502,
  TIMEOUT: 504,
  INTERNAL: 500,
  /** An Avro record (magic byte 0) whose schema id the schema registry does not know. */
  UNKNOWN_SCHEMA: 400,
  /** An Avro record whose body does not decode with its schema (truncated, or extra bytes). */
  MALFORMED_AVRO: 400,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TwinfoldError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TwinfoldError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export function isTwinfoldError(err: unknown): err is TwinfoldError {
  return err instanceof TwinfoldError;
}

/** Any thrown value as a TwinfoldError; unknown errors become INTERNAL and keep their cause. */
export function toTwinfoldError(err: unknown): TwinfoldError {
  if (isTwinfoldError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TwinfoldError('INTERNAL', message, { cause: err });
}
