import { TwinfoldError } from '../errors';
import { isJsonObject, ownValue } from '../json';

export interface RegistryClientOptions {
  /** The Confluent API's base URL, e.g. http://127.0.0.1:8081 or .../apis/ccompat/v7 for Apicurio. */
  url: string;
  username?: string;
  password?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * The few calls of the Confluent schema registry API twinfold makes: register the twin schema
 * under its subject, set the subject's compatibility, fetch a schema by id. Errors other than
 * "not found" are UPSTREAM_ERROR, retriable unless the registry refused the request (4xx): the
 * caller tries again later, nothing is dead-lettered because the registry was away.
 */
export class SchemaRegistryClient {
  private readonly headers: Record<string, string>;

  constructor(private readonly o: RegistryClientOptions) {
    this.headers = { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
    if (o.username !== undefined)
      this.headers.authorization = `Basic ${Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64')}`;
  }

  /** Registers `schema` (Avro JSON text) under `subject`; the id (the same one again when it exists). */
  async register(subject: string, schema: string): Promise<number> {
    const body = await this.call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema });
    return readId(body);
  }

  /** Sets the subject's compatibility level, e.g. BACKWARD. */
  async setCompatibility(subject: string, level: string): Promise<void> {
    await this.call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
  }

  /** The schema (Avro JSON text) of `id`; undefined when the registry does not know it. */
  async schemaById(id: number): Promise<string | undefined> {
    const body = await this.call('GET', `/schemas/ids/${id}`, undefined, true);
    if (body === undefined) return undefined;
    const schema = isJsonObject(body) ? ownValue(body, 'schema') : undefined;
    if (typeof schema !== 'string') throw upstream(`schema ${id}: the registry's answer has no schema`);
    return schema;
  }

  private async call(
    method: string,
    path: string,
    payload: unknown,
    notFoundIsUndefined = false,
  ): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.o.url}${path}`, {
        method,
        headers: this.headers,
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10000),
      });
    } catch (err) {
      throw upstream(`schema registry ${method} ${path}: ${(err as Error).message}`, err);
    }
    const text = await res.text();
    if (res.status === 404 && notFoundIsUndefined) return undefined;
    if (!res.ok)
      throw upstream(
        `schema registry ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`,
        undefined,
        res.status >= 500,
      );
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw upstream(`schema registry ${method} ${path}: the answer is not JSON`, err);
    }
  }
}

function readId(body: unknown): number {
  const id = isJsonObject(body) ? ownValue(body, 'id') : undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id))
    throw upstream('the registry answered no schema id');
  return id;
}

/** Retriable unless the registry refused the request itself (a 4xx, e.g. an incompatible schema). */
function upstream(message: string, cause?: unknown, retriable = true): TwinfoldError {
  return new TwinfoldError('UPSTREAM_ERROR', message, {
    retriable,
    ...(cause === undefined ? {} : { cause }),
  });
}
