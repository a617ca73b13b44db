import type { Request, Response } from 'express';
import type { ErrorCode } from '../shared/errors';
import { DEVICE_ID_PATTERN, assertDeviceId } from '../shared/ids';
import type { Access } from './auth';
import type { JsonObject } from './json';
import { RULE_ID_PATTERN } from '../topology/rules/model';
import { COMMAND_ID_PATTERN, DEVICE_TYPE_PATTERN, parsePattern } from './validate';

/**
 * One route table drives both Express and the OpenAPI document, so they cannot drift: a route is
 * its method, path, declared inputs and one handler. The handler returns data; `mount.ts` does
 * auth, validation of the declared inputs, body parsing and the envelope.
 */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** An OpenAPI 3.1 (JSON Schema 2020-12) schema. */
export type Schema = JsonObject;

export interface QueryParamSpec {
  /** Exact name, or with `prefix: true` a prefix such as `attr.` (any `attr.KEY` is accepted). */
  name: string;
  prefix?: boolean;
  description: string;
  schema: Schema;
}

export interface HeaderParamSpec {
  name: string;
  description: string;
  schema: Schema;
}

export interface BodySpec {
  description: string;
  schema: Schema;
}

export interface ResponseSpec {
  status: number;
  description: string;
  /** Schema of `data` inside the success envelope (or of the whole body when `contentType` is set). */
  schema: Schema;
  /** Set for responses that are not a JSON envelope (Prometheus text, the OpenAPI document). */
  contentType?: string;
  headers?: readonly string[];
}

export interface RouteContext {
  req: Request;
  /** Path parameters, validated (see PATH_PARAMS). */
  params: Readonly<Record<string, string>>;
  /** Declared query parameters only, each a single string. */
  query: Readonly<Record<string, string>>;
  /** Parsed JSON body: a plain object without forbidden keys when the route declares `body`. */
  body: JsonObject;
}

export interface RouteResult {
  status?: number;
  headers?: Readonly<Record<string, string>>;
  /** Sent inside the success envelope. */
  data?: unknown;
  /** Sent as is with `contentType` instead of an envelope. */
  raw?: { contentType: string; body: string | JsonObject };
  /**
   * Takes the response over (Server-Sent Events): called instead of sending an envelope, it writes
   * and ends the response itself. Errors meant for the client must be thrown by `handle` before.
   */
  stream?: (res: Response) => void;
}

export interface RouteSpec {
  method: HttpMethod;
  /** Express 5 pattern (`/api/v1/twins/:id`); also the metrics `route` label. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  query?: readonly QueryParamSpec[];
  headers?: readonly HeaderParamSpec[];
  body?: BodySpec;
  response: ResponseSpec;
  /** Error codes worth documenting beyond the generic ones (400, 404 for ids, 413, 500, 503). */
  errors?: readonly ErrorCode[];
  handle(ctx: RouteContext): Promise<RouteResult>;
}

export interface PathParamSpec {
  description: string;
  schema: Schema;
  validate(raw: string): string;
}

/** Every path parameter a route may use; mounting a route with another name is a programming error. */
export const PATH_PARAMS: Readonly<Record<string, PathParamSpec>> = {
  id: {
    description: 'Device (twin) id',
    schema: { type: 'string', pattern: DEVICE_ID_PATTERN.source },
    validate: assertDeviceId,
  },
  cid: {
    description: 'Command id',
    schema: { type: 'string', pattern: COMMAND_ID_PATTERN.source },
    validate: (raw) => parsePattern(raw, 'command id', COMMAND_ID_PATTERN),
  },
  type: {
    description: 'Device type',
    schema: { type: 'string', pattern: DEVICE_TYPE_PATTERN.source },
    validate: (raw) => parsePattern(raw, 'device type', DEVICE_TYPE_PATTERN),
  },
  rule: {
    description: 'Rule id',
    schema: { type: 'string', pattern: RULE_ID_PATTERN.source },
    validate: (raw) => parsePattern(raw, 'rule id', RULE_ID_PATTERN),
  },
};

/** `/twins/:id/commands/:cid` → `['id', 'cid']`. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
}

/** `/twins/:id` → `/twins/{id}` (OpenAPI path template). */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}
