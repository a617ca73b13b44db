import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Registry } from 'prom-client';
import { createApp, type ApiOptions } from '../../../api/app';
import { allowAll } from '../../../api/auth';
import type { ErrorEnvelope, SuccessEnvelope } from '../../../api/envelope';
import { MemoryBackend } from '../../../api/memory-backend';
import { startApiServer } from '../../../api/server';
import type { TwinDocument } from '../../../api/twin-document';
import type { FieldMeta, PublicFieldMeta, TwinState } from '../../../topology/twin';
import { createLogger } from '../../../shared/logger';

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: unknown;
}

export interface RequestOptions {
  /** Sent as JSON unless a string (sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestApi {
  url: string;
  backend: MemoryBackend;
  registry: Registry;
  /** Every log line the app wrote (debug and up). */
  logs: string[];
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /**
   * node:http instead of fetch: the path is sent byte for byte (fetch normalises `..`) and no
   * headers are added (fetch adds `Cache-Control: no-cache` to conditional requests).
   */
  raw(method: string, path: string, headers?: Record<string, string>): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export type ApiOverrides = Partial<Omit<ApiOptions, 'backend'>> & { backend?: MemoryBackend };

/** The app on 127.0.0.1 and a free port, backed by a MemoryBackend. Close it in afterEach. */
export async function startTestApi(overrides: ApiOverrides = {}): Promise<TestApi> {
  const backend = overrides.backend ?? new MemoryBackend();
  const registry = overrides.metricsRegistry ?? new Registry();
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const app = createApp({
    logger,
    maxBodyBytes: 4096,
    auth: allowAll,
    ...overrides,
    backend,
    metricsRegistry: registry,
  });
  const server = await startApiServer(app, '127.0.0.1', 0, { shutdownTimeoutMs: 2000 });

  const request = async (
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(server.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };

  const raw = (method: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(server.url);
      const req = httpRequest({ hostname, port, path, method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end();
    });

  return { url: server.url, backend, registry, logs, request, raw, close: server.close };
}

export function data<T>(res: TestResponse): T {
  const envelope = res.body as SuccessEnvelope<T>;
  expect(envelope.status).toBe('success');
  return envelope.data;
}

export function apiError(res: TestResponse): ErrorEnvelope['error'] {
  const envelope = res.body as ErrorEnvelope;
  expect(envelope.status).toBe('error');
  expect(typeof envelope.timestamp).toBe('string');
  return envelope.error;
}

/** A complete twin document, for seeding the backend directly. */
export function twinFixture(id: string, overrides: Partial<TwinDocument> = {}): TwinDocument {
  return {
    id,
    type: 'temperature_sensor',
    lifecycle: 'active',
    connection: { status: 'online', since: '2026-11-24T10:30:00.000Z', lastSeen: '2026-11-24T10:31:02.120Z' },
    reported: { temperature: 23.5, humidity: 65 },
    desired: { interval: 10 },
    delta: { interval: 10 },
    metadata: {
      reported: { temperature: { timestamp: '2026-11-24T10:31:02.120Z', version: 17 } },
      desired: { interval: { timestamp: '2026-11-24T10:20:00.000Z', version: 12 } },
    },
    attributes: { location: 'Room A', manufacturer: 'SensorCorp' },
    version: 17,
    commands: { pending: 0 },
    createdAt: '2026-11-24T09:00:00.000Z',
    updatedAt: '2026-11-24T10:31:02.120Z',
    ...overrides,
  };
}

const ms = (iso: string): number => Date.parse(iso);
const msOrNull = (iso: string | null): number | null => (iso === null ? null : ms(iso));

function storedMeta(meta: Record<string, PublicFieldMeta>): Record<string, FieldMeta> {
  return Object.fromEntries(
    Object.entries(meta).map(([k, m]) => [k, { timestamp: ms(m.timestamp), version: m.version }]),
  );
}

/** The stored twin whose document is `doc` (the inverse of toTwinDocument, without commands). */
export function stateOf(doc: TwinDocument): TwinState {
  return {
    id: doc.id,
    type: doc.type,
    lifecycle: doc.lifecycle,
    connection: {
      status: doc.connection.status,
      since: msOrNull(doc.connection.since),
      lastSeen: msOrNull(doc.connection.lastSeen),
    },
    reported: structuredClone(doc.reported),
    desired: structuredClone(doc.desired),
    metadata: { reported: storedMeta(doc.metadata.reported), desired: storedMeta(doc.metadata.desired) },
    attributes: structuredClone(doc.attributes),
    version: doc.version,
    stateVersion: null,
    commands: [],
    lastError: null,
    createdAt: ms(doc.createdAt),
    updatedAt: ms(doc.updatedAt),
  };
}

/** Stores the twin whose document is `doc` in the backend's in-memory store, as the fold left it. */
export function putTwin(backend: MemoryBackend, doc: TwinDocument): void {
  backend.log.put(stateOf(doc));
}
