import type { Request, RequestHandler, Response, Router } from 'express';
import { TwinfoldError } from '../shared/errors';
import type { AuthCheck } from './auth';
import { successEnvelope } from './envelope';
import type { JsonObject } from './json';
import { setRouteLabel } from './metrics';
import { PATH_PARAMS, pathParamNames, type RouteResult, type RouteSpec } from './route';
import { parseJsonSafely, type JsonLimits } from '../shared/safe-json';
import { requireObject } from './validate';
import { writeProvenance } from './provenance';
import { currentRequest, withRequestContext } from './routing/request-context';

/** The media types of request bodies (RFC 6839 `+json` suffixes, e.g. merge-patch, included). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

export interface MountOptions {
  auth: AuthCheck;
  /** express.raw() for JSON_MEDIA_TYPES, with the body size limit. */
  rawBodyParser: RequestHandler;
  /** Applied by shared/safe-json while parsing: size, depth, key count; forbidden keys are dropped. */
  jsonLimits: JsonLimits;
}

function validateParams(spec: RouteSpec, req: Request): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of pathParamNames(spec.path)) {
    const raw = (req.params as Record<string, string | undefined>)[name];
    params[name] = PATH_PARAMS[name]!.validate(raw ?? '');
  }
  return params;
}

/** Only declared parameters, each given once: a typo such as `?limt=5` is an error, not ignored. */
function validateQuery(spec: RouteSpec, req: Request): Record<string, string> {
  const query: Record<string, string> = {};
  const declared = spec.query ?? [];
  for (const [name, value] of Object.entries(req.query)) {
    const known = declared.some((q) =>
      q.prefix ? name.startsWith(q.name) && name.length > q.name.length : q.name === name,
    );
    if (!known) {
      const allowed = declared.map((q) => (q.prefix ? `${q.name}KEY` : q.name));
      const hint = allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : '';
      throw new TwinfoldError(
        'VALIDATION_ERROR',
        `unknown query parameter ${JSON.stringify(name.slice(0, 64))}${hint}`,
      );
    }
    if (typeof value !== 'string') {
      throw new TwinfoldError('VALIDATION_ERROR', `query parameter ${name} must be given once`);
    }
    query[name] = value;
  }
  return query;
}

/** A body of another media type (or none named) is 415, not a 400 about its content. */
function requireJsonMediaType(req: Request): void {
  if (req.is(JSON_MEDIA_TYPES) !== false) return; // JSON, or no body at all
  if (req.get('Content-Length') === '0') return; // empty: the 400 "must be a JSON object" says more
  const type = req.get('Content-Type');
  throw new TwinfoldError(
    'UNSUPPORTED_MEDIA_TYPE',
    `request body must be application/json (or application/merge-patch+json), got ${
      type === undefined ? 'no Content-Type' : JSON.stringify(type.slice(0, 100))
    }`,
  );
}

function parseBody(parser: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void parser(req, res, (err?: unknown) => (err === undefined ? resolve() : reject(err)));
  });
}

function send(res: Response, result: RouteResult): void {
  if (result.stream) {
    result.stream(res);
    return;
  }
  res.status(result.status ?? 200);
  if (result.headers) res.set(result.headers);
  if (result.raw) {
    res.type(result.raw.contentType);
    res.send(typeof result.raw.body === 'string' ? result.raw.body : JSON.stringify(result.raw.body));
    return;
  }
  res.json(successEnvelope(result.data ?? null));
}

/**
 * One Express handler per route, in a fixed order: metrics label, auth, path parameters, query,
 * body (read only now, so rejected requests never pay for it), a write's provenance, handler,
 * envelope. Express 5
 * forwards the rejected promise to the error middleware.
 */
export function routeHandler(spec: RouteSpec, options: MountOptions): RequestHandler {
  for (const name of pathParamNames(spec.path)) {
    if (!PATH_PARAMS[name]) throw new Error(`route ${spec.path}: no PATH_PARAMS entry for :${name}`);
  }
  return async (req, res) => {
    setRouteLabel(res, spec.path);
    if (spec.access !== 'public') await options.auth(req, spec.access);
    const params = validateParams(spec, req);
    const query = validateQuery(spec, req);
    let body: JsonObject = {};
    if (spec.body) {
      requireJsonMediaType(req);
      await parseBody(options.rawBodyParser, req, res);
      const raw: unknown = req.body;
      body = requireObject(
        Buffer.isBuffer(raw) ? parseJsonSafely(raw, options.jsonLimits) : undefined,
        'request body',
      );
    }
    const handle = (): Promise<RouteResult> => spec.handle({ req, params, query, body });
    // A write carries who makes it and why into the records it produces (and when forwarded).
    const result =
      spec.method === 'get'
        ? await handle()
        : await withRequestContext({ ...currentRequest(), ...writeProvenance(req) }, handle);
    send(res, result);
  };
}

export function mountRoutes(router: Router, routes: readonly RouteSpec[], options: MountOptions): void {
  for (const spec of routes) router[spec.method](spec.path, routeHandler(spec, options));
}
