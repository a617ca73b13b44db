import { ERROR_CODES, type ErrorCode } from '../../shared/errors';
import { REQUIRED_ROLE } from '../auth/roles';
import type { JsonObject } from '../json';
import { PATH_PARAMS, openApiPath, pathParamNames, type RouteSpec, type Schema } from '../route';
import { SCHEMAS, envelope } from './schemas';

/** The API's own version (the contract), independent of the package version. */
export const API_VERSION = '1.0.0';

const HEADER_DOCS: Readonly<Record<string, string>> = {
  ETag: 'The twin version as a strong ETag, e.g. "17"',
  Location: 'Where the created or queued resource will be readable',
  'Retry-After': 'Seconds to wait before retrying',
};

function headers(names: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const name of names)
    out[name] = { description: HEADER_DOCS[name] ?? name, schema: { type: 'string' } };
  return out;
}

/** Error codes a route can answer with: generic ones derived from what it declares, plus its own. */
function errorCodes(spec: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(['INTERNAL']);
  if (spec.access !== 'public')
    ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_READY'].forEach((c) => codes.add(c as ErrorCode));
  if (spec.query?.length) codes.add('VALIDATION_ERROR');
  if (pathParamNames(spec.path).includes('id'))
    ['INVALID_ID', 'TWIN_NOT_FOUND'].forEach((c) => codes.add(c as ErrorCode));
  if (spec.body)
    ['VALIDATION_ERROR', 'MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'].forEach((c) =>
      codes.add(c as ErrorCode),
    );
  for (const c of spec.errors ?? []) codes.add(c);
  return [...codes];
}

function responses(spec: RouteSpec): JsonObject {
  const r = spec.response;
  const content = r.contentType
    ? { [r.contentType]: { schema: r.schema } }
    : { 'application/json': { schema: envelope(r.schema) } };
  const out: JsonObject = {
    [String(r.status)]: { description: r.description, headers: headers(r.headers ?? []), content },
  };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(spec))
    byStatus.set(ERROR_CODES[code], [...(byStatus.get(ERROR_CODES[code]) ?? []), code]);
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: codes.join(', '),
      headers: headers(status === 503 ? ['Retry-After'] : []),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
    };
  }
  return out;
}

function parameters(spec: RouteSpec): JsonObject[] {
  const path = pathParamNames(spec.path).map((name) => {
    const p = PATH_PARAMS[name]!;
    return { name, in: 'path', required: true, description: p.description, schema: p.schema };
  });
  const query = (spec.query ?? []).map((q) => ({
    name: q.prefix ? `${q.name}KEY` : q.name,
    in: 'query',
    required: false,
    description: q.description,
    schema: q.schema,
  }));
  const changeReason =
    spec.method === 'get' || spec.access === 'public'
      ? []
      : [
          {
            name: 'X-Change-Reason',
            description: 'Why: recorded with the change in the twin history (UTF-8, 1..1024 characters)',
            schema: { type: 'string', maxLength: 1024 },
          },
        ];
  const header = [...(spec.headers ?? []), ...changeReason].map((h) => ({
    name: h.name,
    in: 'header',
    required: false,
    description: h.description,
    schema: h.schema,
  }));
  return [...path, ...query, ...header];
}

function operation(spec: RouteSpec): JsonObject {
  const op: JsonObject = {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    parameters: parameters(spec),
    responses: responses(spec),
  };
  if (spec.description) op.description = spec.description;
  if (spec.body) {
    const schema: Schema = spec.body.schema;
    op.requestBody = {
      required: true,
      description: spec.body.description,
      content: { 'application/json': { schema } },
    };
  }
  if (spec.access !== 'public') {
    op['x-twinfold-access'] = spec.access;
    op['x-twinfold-role'] = REQUIRED_ROLE[spec.access];
  }
  // Bearer token on every protected route; public ones override the document default with none.
  op.security = spec.access === 'public' ? [] : [{ bearerAuth: [] }];
  return op;
}

/** OpenAPI 3.1 document of exactly the routes in the table. */
export function buildOpenApiDocument(routes: readonly RouteSpec[]): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const spec of routes) {
    const path = openApiPath(spec.path);
    paths[path] = { ...paths[path], [spec.method]: operation(spec) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'twinfold',
      version: API_VERSION,
      description:
        'A live digital twin of every IoT device, built natively on Kafka. Live changes also come ' +
        'over a WebSocket at `/ws`, which OpenAPI does not describe: see docs/contract.md, "WebSocket".',
    },
    servers: [{ url: '/' }],
    paths,
    security: [{ bearerAuth: [] }],
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'A static token (AUTH_TOKENS) or a JWT (AUTH_JWT_*); roles viewer < operator < admin',
        },
      },
    },
  };
}
