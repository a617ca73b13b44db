import type { ErrorRequestHandler, RequestHandler } from 'express';
import { TwinfoldError, isTwinfoldError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { challengeOf } from './auth/challenge';
import { errorEnvelope, publicDetails } from './envelope';
import { routeLabel } from './metrics';

/** Seconds a client is told to wait on a 503 when the error does not say. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

interface HttpLikeError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  limit?: unknown;
  message?: unknown;
}

function httpStatusOf(err: HttpLikeError): number | undefined {
  const status = typeof err.status === 'number' ? err.status : err.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Any error reaching the API as a TwinfoldError. Body-parser errors (http-errors with a `type`)
 * and router errors (e.g. a path parameter that is not valid percent-encoding, status 400) become
 * client errors; everything else is INTERNAL.
 */
export function toApiError(err: unknown): TwinfoldError {
  if (isTwinfoldError(err)) return err;
  if (typeof err !== 'object' || err === null) return new TwinfoldError('INTERNAL', String(err));
  const e = err as HttpLikeError;
  const message = typeof e.message === 'string' ? e.message : 'request rejected';
  if (e.type === 'entity.too.large') {
    const limit = typeof e.limit === 'number' ? ` of ${e.limit} bytes` : '';
    return new TwinfoldError('PAYLOAD_TOO_LARGE', `request body exceeds the limit${limit}`, { cause: err });
  }
  if (e.type === 'entity.parse.failed') {
    return new TwinfoldError('MALFORMED_JSON', `request body is not valid JSON: ${message}`, { cause: err });
  }
  const status = httpStatusOf(e);
  if (status === 413) return new TwinfoldError('PAYLOAD_TOO_LARGE', message, { cause: err });
  if (status !== undefined && status >= 400 && status < 500) {
    return new TwinfoldError('VALIDATION_ERROR', message, { cause: err });
  }
  return new TwinfoldError('INTERNAL', message, { cause: err });
}

function retryAfterSeconds(err: TwinfoldError): number {
  const hint = err.details?.retryAfterSeconds;
  return typeof hint === 'number' && hint > 0 ? Math.ceil(hint) : DEFAULT_RETRY_AFTER_SECONDS;
}

/**
 * The one error middleware: maps every error to the error envelope and its HTTP status. 5xx other
 * than NOT_READY are logged with their stack; the client sees the code and, for INTERNAL, a generic message only.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const apiError = toApiError(err);
    const status = apiError.httpStatus;
    const fields = { method: req.method, route: routeLabel(res), code: apiError.code, status };
    // NOT_READY is expected during start-up and rebalances (probes hit it every second): not an error.
    if (status >= 500 && apiError.code !== 'NOT_READY')
      logger.error('request failed', { ...fields, error: err });
    else logger.debug('request rejected', { ...fields, message: apiError.message });
    if (status === 503) res.set('Retry-After', String(retryAfterSeconds(apiError)));
    const challenge = challengeOf(apiError);
    if (challenge !== undefined) res.set('WWW-Authenticate', challenge);
    const message = status === 500 ? 'internal server error' : apiError.message;
    const details = status === 500 ? undefined : publicDetails(apiError.details);
    res.status(status).json(errorEnvelope(apiError.code, message, new Date(), details));
  };
}

/** Last in the chain: no route matched. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new TwinfoldError('NOT_FOUND', `no route for ${req.method} ${req.path.slice(0, 200)}`));
};
